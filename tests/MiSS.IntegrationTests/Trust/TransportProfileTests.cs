using MiSS.Core.Configuration;
using MiSS.Core.Messaging;
using static MiSS.IntegrationTests.Practitioners;

namespace MiSS.IntegrationTests.Trust;

/// <summary>The dev transport profile, with the MSSanté cipher suites, against the real local Dovecot and Postfix.</summary>
public class TransportProfileTests
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>Claire's options from the dev profile: host and TLS mode left to it, only the fixture's free ports given.</summary>
    static MissOptions DevProfileOptions(string[] cipherSuites)
    {
        var options = MissInstance.OptionsFor(Claire);
        options.Transport.Profile = "dev";
        options.Imap.Host = options.Smtp.Host = "";
        options.Imap.Security = options.Smtp.Security = null;
        options.Imap.CipherSuites = options.Smtp.CipherSuites = cipherSuites;
        return options;
    }

    [Test]
    public async Task The_dev_profile_with_the_mssante_suites_sends_and_receives_over_the_local_server()
    {
        var suites = TransportProfiles.MSSanteCipherSuites.Select(s => s.ToString()).ToArray();
        await using var claire = await MissInstance.StartAsync(Claire, DevProfileOptions(suites));
        await using var julien = await MissInstance.StartAsync(Julien);
        Assert.That((claire.Options.Smtp.Host, claire.Options.Smtp.EffectiveSecurity), Is.EqualTo(("localhost", MiSS.Core.Transport.MailSecurity.StartTls)));

        var sent = await claire.SendDirectAsync(Julien, "Profil dev, suites MSSanté");

        var atJulien = await TestWait.ForAsync(() => julien.Store.GetAsync(sent.MessageId), Patience, "the message at Julien's");
        Assert.That(atJulien.Body, Does.Contain("Profil dev, suites MSSanté"));
        await claire.WaitUntilIdleAsync(Patience); // IMAP too, with the same suites
    }

    [Test]
    public async Task A_suite_the_server_does_not_offer_makes_the_connection_fail_so_the_policy_is_applied()
    {
        // Without the policy, OpenSSL would negotiate a GCM suite and succeed; with only a NULL-encryption suite, nothing agrees.
        await using var claire = await MissInstance.StartAsync(Claire, DevProfileOptions(["TLS_RSA_WITH_NULL_SHA256"]));
        await using var julien = await MissInstance.StartAsync(Julien);

        var sent = await claire.SendDirectAsync(Julien, "ne doit pas partir");

        var retried = await TestWait.ForAsync(async () => await claire.Store.GetAsync(sent.MessageId) is { Attempts: > 0 } m ? m : null,
            Patience, "a failed attempt");
        Assert.That(retried.State, Is.EqualTo(MessageState.Queued), "kept for a retry, never sent");
        Assert.That(retried.Error, Does.Contain("TLS").IgnoreCase.Or.Contain("injoignable"));
    }
}
