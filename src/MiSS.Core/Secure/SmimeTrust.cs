using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MiSS.Core.Secure;

/// <summary>
/// The trust configuration of S/MIME: the anchors (IGC-Santé roots in production, the dev root in development),
/// the known intermediates, and how revocation is checked. Chains are built against these anchors only, never
/// the system store: a certificate from any other public CA is not a health practitioner's.
/// </summary>
public sealed class SmimeTrust(X509Certificate2Collection anchors, X509Certificate2Collection intermediates,
    X509RevocationMode revocationMode, TimeProvider time)
{
    const string EmailProtectionOid = "1.3.6.1.5.5.7.3.4";

    /// <summary>The trust anchors.</summary>
    public X509Certificate2Collection Anchors { get; } = anchors;

    /// <summary>Known intermediate CAs, sent along with signatures and used to build chains.</summary>
    public X509Certificate2Collection Intermediates { get; } = intermediates;

    /// <summary>Loads anchors and intermediates from PEM files.</summary>
    public static SmimeTrust FromPemFiles(string anchorsPath, string? intermediatesPath, X509RevocationMode revocationMode, TimeProvider time)
    {
        var anchors = new X509Certificate2Collection();
        anchors.ImportFromPemFile(anchorsPath);
        if (anchors.Count == 0)
        {
            throw new InvalidOperationException($"no certificate in the trust anchors file {anchorsPath}");
        }
        var intermediates = new X509Certificate2Collection();
        if (intermediatesPath is not null)
        {
            intermediates.ImportFromPemFile(intermediatesPath);
        }
        return new SmimeTrust(anchors, intermediates, revocationMode, time);
    }

    /// <summary>
    /// Checks that a certificate chains to an anchor, is valid now, and allows e-mail protection.
    /// Returns null when it does, else the status and a reason.
    /// </summary>
    public (OpenStatus Status, string Reason)? Check(X509Certificate2 certificate, X509Certificate2Collection? extraCertificates = null)
    {
        if (!AllowsEmailProtection(certificate))
        {
            return (OpenStatus.WrongCertificateUsage, "le certificat du signataire n'est pas destiné à la messagerie sécurisée (usage emailProtection absent)");
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(Anchors);
        chain.ChainPolicy.ExtraStore.AddRange(Intermediates);
        if (extraCertificates is not null)
        {
            chain.ChainPolicy.ExtraStore.AddRange(extraCertificates);
        }
        chain.ChainPolicy.RevocationMode = revocationMode;
        chain.ChainPolicy.RevocationFlag = X509RevocationFlag.ExcludeRoot;
        chain.ChainPolicy.VerificationTime = time.GetLocalNow().DateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(EmailProtectionOid));
        if (chain.Build(certificate))
        {
            return null;
        }
        var flags = chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status);
        var reason = flags switch
        {
            _ when flags.HasFlag(X509ChainStatusFlags.NotTimeValid) => "le certificat du signataire est expiré ou pas encore valide",
            _ when flags.HasFlag(X509ChainStatusFlags.Revoked) => "le certificat du signataire est révoqué",
            _ when flags.HasFlag(X509ChainStatusFlags.UntrustedRoot) || flags.HasFlag(X509ChainStatusFlags.PartialChain) =>
                "le certificat du signataire n'est pas émis par une autorité de confiance",
            _ when flags.HasFlag(X509ChainStatusFlags.NotValidForUsage) => "le certificat du signataire n'est pas valide pour la messagerie sécurisée",
            _ => "la chaîne de certification du signataire n'est pas valide (" + string.Join(", ", chain.ChainStatus.Select(s => s.Status)) + ")",
        };
        return flags.HasFlag(X509ChainStatusFlags.NotValidForUsage) && !flags.HasFlag(X509ChainStatusFlags.UntrustedRoot)
            ? (OpenStatus.WrongCertificateUsage, reason)
            : (OpenStatus.UntrustedSigner, reason);
    }

    static bool AllowsEmailProtection(X509Certificate2 certificate)
    {
        var eku = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault();
        // No EKU extension means any usage (RFC 5280); when present, it must list emailProtection.
        return eku is null || eku.EnhancedKeyUsages.Cast<Oid>().Any(o => o.Value == EmailProtectionOid);
    }
}
