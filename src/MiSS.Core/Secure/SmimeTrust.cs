using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MiSS.Core.Secure;

/// <summary>
/// The trust configuration of S/MIME: the anchors (IGC-Santé roots in production, the dev root in development),
/// the known intermediates, and how revocation is checked. Chains are built against these anchors only, never
/// the system store: a certificate from any other public CA is not a health practitioner's. Revocation is checked
/// against the CRLs given (signed by the CA they name, not stale); without a CRL for a CA, a mode other than
/// <see cref="X509RevocationMode.NoCheck"/> refuses its certificates as of unknown status. Newer CRLs are swapped in
/// at run time by <see cref="ReplaceRevocationLists"/> (the trust material refresher).
/// </summary>
public sealed class SmimeTrust(X509Certificate2Collection anchors, X509Certificate2Collection intermediates,
    X509RevocationMode revocationMode, TimeProvider time, IReadOnlyList<RevocationList>? revocationLists = null)
{
    const string EmailProtectionOid = "1.3.6.1.5.5.7.3.4";

    /// <summary>Most certificates remembered as trusted; beyond, the memory starts again (a burst of senders, or an attack).</summary>
    const int MaxRemembered = 10_000;

    readonly Lock _replacing = new();
    IReadOnlyList<RevocationList> _revocationLists = revocationLists ?? [];

    /// <summary>
    /// Certificates whose chain was found valid, by SHA-256 of their bytes: trusted again without building the chain until
    /// the first of their chain's certificates ends or a CRL used is due, and only under the same set of CRLs (a swap
    /// forgets them all). Failures are never remembered: they are rare, and another message may carry the missing CA.
    /// </summary>
    readonly ConcurrentDictionary<string, (IReadOnlyList<RevocationList> Lists, DateTimeOffset Until)> _trusted = new();

    /// <summary>The revocation lists in use (a snapshot: replacements swap the whole set at once).</summary>
    public IReadOnlyList<RevocationList> RevocationLists => Volatile.Read(ref _revocationLists);

    /// <summary>The trust anchors.</summary>
    public X509Certificate2Collection Anchors { get; } = anchors;

    /// <summary>Known intermediate CAs, sent along with signatures and used to build chains.</summary>
    public X509Certificate2Collection Intermediates { get; } = intermediates;

    /// <summary>Loads anchors and intermediates from PEM files, and the CRLs (DER or PEM) of <paramref name="crlPaths"/>.</summary>
    public static SmimeTrust FromPemFiles(string anchorsPath, string? intermediatesPath, X509RevocationMode revocationMode, TimeProvider time,
        IEnumerable<string>? crlPaths = null)
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
        var lists = (crlPaths ?? []).Select(path => RevocationList.Load(File.ReadAllBytes(path))).ToList();
        return new SmimeTrust(anchors, intermediates, revocationMode, time, lists);
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
        var now = time.GetUtcNow();
        var lists = RevocationLists; // one snapshot for the whole check
        var key = certificate.GetCertHashString(HashAlgorithmName.SHA256);
        if (_trusted.TryGetValue(key, out var known) && ReferenceEquals(known.Lists, lists) && now < known.Until)
        {
            return null;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(Anchors);
        chain.ChainPolicy.ExtraStore.AddRange(Intermediates);
        if (extraCertificates is not null)
        {
            chain.ChainPolicy.ExtraStore.AddRange(extraCertificates);
        }
        // Revocation is checked below against the lists given, never by downloading during the check.
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = time.GetLocalNow().DateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(EmailProtectionOid));
        if (chain.Build(certificate))
        {
            var (failure, until) = CheckRevocation(chain, lists, now);
            if (failure is null)
            {
                if (_trusted.Count >= MaxRemembered)
                {
                    _trusted.Clear();
                }
                _trusted[key] = (lists, until);
            }
            return failure;
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

    /// <summary>
    /// Every certificate of the chain but the anchor against its issuer's CRL; with no failure, until when that answer
    /// holds: the end of the first certificate of the chain to expire, or the first CRL used to be due.
    /// </summary>
    ((OpenStatus Status, string Reason)? Failure, DateTimeOffset Until) CheckRevocation(X509Chain chain, IReadOnlyList<RevocationList> lists, DateTimeOffset now)
    {
        var until = chain.ChainElements.Select(e => new DateTimeOffset(e.Certificate.NotAfter.ToUniversalTime())).Min();
        for (var i = 0; i < chain.ChainElements.Count - 1; i++)
        {
            var subject = chain.ChainElements[i].Certificate;
            var issuer = chain.ChainElements[i + 1].Certificate;
            var list = lists.Where(l => l.IsSignedBy(issuer)).MaxBy(l => l.ThisUpdate);
            if (list is null)
            {
                if (revocationMode == X509RevocationMode.NoCheck)
                {
                    continue;
                }
                return ((OpenStatus.UntrustedSigner, $"statut de révocation inconnu : aucune liste de révocation de « {issuer.GetNameInfo(X509NameType.SimpleName, false)} »"), until);
            }
            if (list.NextUpdate is { } next && next < now)
            {
                return ((OpenStatus.UntrustedSigner, $"statut de révocation inconnu : la liste de révocation de « {issuer.GetNameInfo(X509NameType.SimpleName, false)} » est périmée depuis le {next:dd/MM/yyyy}"), until);
            }
            if (list.IsRevoked(subject))
            {
                return ((OpenStatus.SignerRevoked, i == 0 ? "le certificat du signataire est révoqué" : "un certificat de la chaîne du signataire est révoqué"), until);
            }
            if (list.NextUpdate is { } due && due < until)
            {
                until = due;
            }
        }
        return (null, until);
    }

    /// <summary>
    /// Puts newer revocation lists in place at run time, atomically: a message being opened sees either the old set or
    /// the new one. Each list must be signed by one of the known CAs (anchors and intermediates), still be current, and
    /// not be older than the list in place for the same CA; a list refused for any of these reasons changes nothing,
    /// and its French reason is returned (an empty result: every list was taken, or was the one already in place).
    /// </summary>
    public IReadOnlyList<string> ReplaceRevocationLists(IReadOnlyList<RevocationList> lists)
    {
        var refusals = new List<string>();
        lock (_replacing)
        {
            var current = RevocationLists;
            var next = current.ToList();
            var now = time.GetUtcNow();
            foreach (var list in lists)
            {
                var name = list.Issuer.Name;
                var issuer = Anchors.Concat(Intermediates).FirstOrDefault(list.IsSignedBy);
                if (issuer is null)
                {
                    refusals.Add($"liste de révocation de « {name} » refusée : sa signature ne vient d'aucune autorité de confiance configurée");
                    continue;
                }
                if (list.NextUpdate is { } due && due < now)
                {
                    refusals.Add($"liste de révocation de « {name} » refusée : périmée depuis le {due:dd/MM/yyyy HH:mm} UTC");
                    continue;
                }
                var inPlace = next.Where(l => l.IsSignedBy(issuer)).MaxBy(l => l.ThisUpdate);
                if (inPlace is not null && list.ThisUpdate < inPlace.ThisUpdate)
                {
                    refusals.Add($"liste de révocation de « {name} » refusée : émise le {list.ThisUpdate:dd/MM/yyyy HH:mm} UTC, " +
                        $"plus ancienne que celle en place ({inPlace.ThisUpdate:dd/MM/yyyy HH:mm} UTC)");
                    continue;
                }
                if (inPlace is not null && list.ThisUpdate == inPlace.ThisUpdate)
                {
                    continue; // the list in place, downloaded again
                }
                next.RemoveAll(l => l.IsSignedBy(issuer));
                next.Add(list);
            }
            Volatile.Write(ref _revocationLists, next);
        }
        return refusals;
    }

    static bool AllowsEmailProtection(X509Certificate2 certificate)
    {
        var eku = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault();
        // No EKU extension means any usage (RFC 5280); when present, it must list emailProtection.
        return eku is null || eku.EnhancedKeyUsages.Cast<Oid>().Any(o => o.Value == EmailProtectionOid);
    }
}
