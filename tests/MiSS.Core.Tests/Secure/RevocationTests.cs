using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MiSS.Core.Secure;

namespace MiSS.Core.Tests.Secure;

/// <summary>Signers checked against their CA's revocation list: revoked, stale list, missing list, forged list.</summary>
public class RevocationTests
{
    static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    static X509Certificate2 FreshSigner() =>
        TestPki.Pki.IssuePractitionerCertificate(TestPki.Claire, Now.AddDays(-1), Now.AddYears(1));

    static SmimeTrust TrustWith(X509RevocationMode mode, params byte[][] crls) => TrustWith(mode, TimeProvider.System, crls);

    static SmimeTrust TrustWith(X509RevocationMode mode, TimeProvider time, params byte[][] crls)
    {
        var anchors = new X509Certificate2Collection();
        anchors.ImportFromPemFile(TestPki.Pki.TrustAnchorsPath);
        var intermediates = new X509Certificate2Collection();
        intermediates.ImportFromPemFile(TestPki.Pki.IntermediatesPath);
        var lists = crls.Select(RevocationList.Load).Append(RevocationList.Load(File.ReadAllBytes(TestPki.Pki.RootCrlPath))).ToList();
        return new SmimeTrust(anchors, intermediates, mode, time, lists);
    }

    [Test]
    public void A_signer_on_its_CA_list_is_revoked_and_the_others_pass()
    {
        var revoked = FreshSigner();
        var other = FreshSigner();
        var trust = TrustWith(X509RevocationMode.Offline, TestPki.Pki.BuildPersonsCrl([revoked], Now));

        var result = trust.Check(revoked);

        Assert.That(result?.Status, Is.EqualTo(OpenStatus.SignerRevoked));
        Assert.That(result?.Reason, Does.Contain("révoqué"));
        Assert.That(trust.Check(other), Is.Null);
    }

    [Test]
    public void A_stale_list_leaves_the_status_unknown_and_the_signer_untrusted()
    {
        var stale = TestPki.Pki.BuildPersonsCrl([], Now.AddDays(-40), TimeSpan.FromDays(30));

        var result = TrustWith(X509RevocationMode.Offline, stale).Check(FreshSigner());

        Assert.That(result?.Status, Is.EqualTo(OpenStatus.UntrustedSigner));
        Assert.That(result?.Reason, Does.Contain("périmée"));
    }

    [Test]
    public void Without_a_list_for_the_CA_offline_mode_refuses_and_no_check_lets_it_pass()
    {
        Assert.That(TrustWith(X509RevocationMode.Offline).Check(FreshSigner())?.Reason, Does.Contain("statut de révocation inconnu"));
        Assert.That(TrustWith(X509RevocationMode.NoCheck).Check(FreshSigner()), Is.Null);
    }

    [Test]
    public void A_list_not_signed_by_the_CA_is_ignored_even_when_it_revokes()
    {
        var signer = FreshSigner();
        var forgedList = ForgedPersonsCrl(signer);
        using var persons = TestPki.Pki.LoadPersonsCa();

        Assert.That(RevocationList.Load(forgedList).IsSignedBy(persons), Is.False);
        Assert.That(TrustWith(X509RevocationMode.NoCheck, forgedList).Check(signer), Is.Null, "a forged list revokes nothing");
        Assert.That(TrustWith(X509RevocationMode.Offline, forgedList).Check(signer)?.Reason, Does.Contain("inconnu"), "nor does it vouch for anyone");
    }

    /// <summary>A list naming the persons CA as issuer and revoking <paramref name="revoked"/>, signed by another key: worthless.</summary>
    static byte[] ForgedPersonsCrl(X509Certificate2 revoked)
    {
        using var rogueKey = RSA.Create(2048);
        using var persons = TestPki.Pki.LoadPersonsCa();
        var rogueCa = new CertificateRequest(persons.SubjectName, rogueKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        rogueCa.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        rogueCa.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.KeyCertSign, true));
        rogueCa.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(rogueCa.PublicKey, false));
        using var rogue = rogueCa.CreateSelfSigned(Now.AddDays(-1), Now.AddYears(1));
        var forged = new CertificateRevocationListBuilder();
        forged.AddEntry(revoked);
        return forged.Build(rogue, 1, Now.AddDays(7), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1, Now.AddMinutes(-1));
    }

    [Test]
    public void A_signer_trusted_once_is_checked_again_when_its_certificate_ends_or_its_list_falls_due()
    {
        var clock = new ManualClock(Now);
        var shortLived = TestPki.Pki.IssuePractitionerCertificate(TestPki.Claire, Now.AddDays(-1), Now.AddDays(2));
        var longLived = FreshSigner();
        var trust = TrustWith(X509RevocationMode.Offline, clock, TestPki.Pki.BuildPersonsCrl([], Now, TimeSpan.FromDays(7)));
        Assert.That(trust.Check(shortLived), Is.Null);
        Assert.That(trust.Check(longLived), Is.Null);

        clock.Advance(TimeSpan.FromDays(3));
        Assert.That(trust.Check(shortLived)?.Reason, Does.Contain("expiré"), "remembered as trusted only until its end");
        Assert.That(trust.Check(longLived), Is.Null);

        clock.Advance(TimeSpan.FromDays(5));
        Assert.That(trust.Check(longLived)?.Reason, Does.Contain("périmée"), "nor beyond the list it was checked against");
    }

    [Test]
    public void A_newer_list_put_in_place_at_run_time_revokes_at_once_and_an_older_one_is_refused()
    {
        var signer = FreshSigner();
        var trust = TrustWith(X509RevocationMode.Offline, TestPki.Pki.BuildPersonsCrl([], Now.AddHours(-2)));
        Assert.That(trust.Check(signer), Is.Null);

        var refusals = trust.ReplaceRevocationLists([RevocationList.Load(TestPki.Pki.BuildPersonsCrl([signer], Now.AddHours(-1)))]);

        Assert.That(refusals, Is.Empty);
        Assert.That(trust.Check(signer)?.Status, Is.EqualTo(OpenStatus.SignerRevoked));
        var older = trust.ReplaceRevocationLists([RevocationList.Load(TestPki.Pki.BuildPersonsCrl([], Now.AddHours(-3)))]);
        Assert.That(older, Has.Count.EqualTo(1).And.Some.Contains("plus ancienne"));
        Assert.That(trust.Check(signer)?.Status, Is.EqualTo(OpenStatus.SignerRevoked), "the newer list stays");
        Assert.That(trust.RevocationLists, Has.Count.EqualTo(2), "one list per CA: the root's and the persons CA's");
    }

    [Test]
    public void A_forged_or_stale_list_is_not_put_in_place()
    {
        var signer = FreshSigner();
        var trust = TrustWith(X509RevocationMode.Offline, TestPki.Pki.BuildPersonsCrl([], Now.AddHours(-2)));

        var forged = trust.ReplaceRevocationLists([RevocationList.Load(ForgedPersonsCrl(signer))]);
        var stale = trust.ReplaceRevocationLists([RevocationList.Load(TestPki.Pki.BuildPersonsCrl([signer], Now.AddDays(-1), TimeSpan.FromHours(1)))]);

        Assert.That(forged, Has.Some.Contains("signature"));
        Assert.That(stale, Has.Some.Contains("périmée"));
        Assert.That(trust.Check(signer), Is.Null, "neither revoked anyone");
    }

    [Test]
    public void Lists_load_from_DER_and_PEM_and_garbage_is_refused()
    {
        var der = TestPki.Pki.BuildPersonsCrl([FreshSigner(), FreshSigner()], Now);
        var pem = PemEncoding.WriteString("X509 CRL", der);

        var fromDer = RevocationList.Load(der);
        var fromPem = RevocationList.Load(System.Text.Encoding.ASCII.GetBytes(pem));

        Assert.That(fromDer.Count, Is.EqualTo(2));
        Assert.That(fromPem.Count, Is.EqualTo(2));
        Assert.That(fromPem.NextUpdate, Is.EqualTo(fromDer.NextUpdate));
        Assert.That(fromDer.Issuer.Name, Does.Contain("PERSONNES"));
        Assert.Throws<CryptographicException>(() => RevocationList.Load("pas une liste de révocation"u8.ToArray()));
    }
}
