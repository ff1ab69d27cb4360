using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using MiSS.Core.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using MiSS.Core.Tests.Transport;
using MiSS.Core.Transport;

namespace MiSS.Core.Tests.Configuration;

/// <summary>Password, XOAUTH2 or OAUTHBEARER (Pro Santé Connect token) against a scripted SMTP peer after STARTTLS; the token is never kept.</summary>
[CancelAfter(30_000)]
public class MailboxCredentialsTests
{
    const string Token = "psc-eyJhbGciOiJSUzI1NiJ9.jeton-secret-de-test";
    static readonly string[] EhloWithXOAuth2 = ["250-mail.test", "250-AUTH PLAIN LOGIN XOAUTH2", "250 8BITMIME"];

    /// <summary>Connects (STARTTLS, the test CA as anchor) and logs in with <paramref name="mailbox"/>, as the outbox does.</summary>
    static Task<SubmissionClient> OpenAsync(ScriptedPeer peer, MailboxOptions mailbox)
    {
        var options = TransportTestOptions.For(peer.Port);
        options.Mailbox = mailbox;
        return options.OpenSmtpAsync(NullLogger.Instance, CancellationToken.None);
    }

    static string Decode(string line, string prefix) => Encoding.UTF8.GetString(Convert.FromBase64String(line[prefix.Length..]));

    [Test]
    public async Task XOAUTH2_takes_the_token_from_the_environment_variable_at_connection()
    {
        var variable = "MISS_TEST_TOKEN_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, Token);
        try
        {
            string? auth = null;
            await using var peer = ScriptedSmtpPeer.Start(async s =>
            {
                await s.GreetWithStartTlsAsync(EhloWithXOAuth2);
                auth = await s.ExpectAsync("AUTH XOAUTH2 *");
                await s.SendAsync("235 2.7.0 Accepted");
            });
            var mailbox = new MailboxOptions { Address = "claire.martin@dev.mssante.test", Authentication = MailboxAuthentication.XOAuth2, AccessTokenVariable = variable };

            using var client = await OpenAsync(peer, mailbox);

            await peer.AssertCompletedAsync();
            Assert.That(Decode(auth!, "AUTH XOAUTH2 "), Is.EqualTo($"user=claire.martin@dev.mssante.test\u0001auth=Bearer {Token}\u0001\u0001"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Test]
    public async Task A_host_supplied_token_provider_is_asked_at_each_connection()
    {
        var provider = new CountingProvider();
        var mailbox = new MailboxOptions { Address = "claire.martin@dev.mssante.test", Authentication = MailboxAuthentication.XOAuth2, AccessTokenProvider = provider };
        for (var i = 1; i <= 2; i++)
        {
            string? auth = null;
            await using var peer = ScriptedSmtpPeer.Start(async s =>
            {
                await s.GreetWithStartTlsAsync(EhloWithXOAuth2);
                auth = await s.ExpectAsync("AUTH XOAUTH2 *");
                await s.SendAsync("235 2.7.0 Accepted");
            });
            using var client = await OpenAsync(peer, mailbox);
            await peer.AssertCompletedAsync();
            Assert.That(Decode(auth!, "AUTH XOAUTH2 "), Does.Contain($"auth=Bearer {Token}-{i}"));
        }
        Assert.That(provider.Calls, Is.EqualTo(2), "a fresh token at each connection, none cached");
    }

    [Test]
    public async Task Without_a_token_nothing_is_sent_and_the_reason_names_the_variable()
    {
        var variable = "MISS_TEST_TOKEN_" + Guid.NewGuid().ToString("N");
        PeerSession? session = null;
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            session = s;
            await s.GreetWithStartTlsAsync(EhloWithXOAuth2);
            await s.WaitForCloseAsync();
        });
        var mailbox = new MailboxOptions { Address = "claire.martin@dev.mssante.test", Authentication = MailboxAuthentication.XOAuth2, AccessTokenVariable = variable };

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => OpenAsync(peer, mailbox));

        Assert.That(e!.Message, Does.Contain(variable).And.Contain("Pro Santé Connect"));
        await peer.AssertCompletedAsync();
        Assert.That(session!.ReceivedLines, Has.None.StartsWith("AUTH"));
    }

    [Test]
    public async Task A_refused_token_is_not_quoted_in_the_error()
    {
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            await s.GreetWithStartTlsAsync(EhloWithXOAuth2);
            await s.ExpectAsync("AUTH XOAUTH2 *");
            await s.SendAsync("535 5.7.8 Error: authentication failed: invalid token");
            await s.WaitForCloseAsync();
        });
        var mailbox = new MailboxOptions { Address = "claire.martin@dev.mssante.test", Authentication = MailboxAuthentication.XOAuth2, AccessTokenProvider = new CountingProvider() };

        var e = await Assert.ThrowsAsync(Is.InstanceOf<Exception>(), () => OpenAsync(peer, mailbox));

        Assert.That(TransportFailure.Is(e!), Is.True, e!.ToString());
        Assert.That(e.ToString() + TransportFailure.Describe(e), Does.Not.Contain(Token));
    }

    [Test]
    public async Task The_password_goes_with_AUTH_PLAIN_after_STARTTLS()
    {
        string? auth = null;
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            await s.GreetWithStartTlsAsync();
            auth = await s.ExpectAsync("AUTH PLAIN *");
            await s.SendAsync("235 2.7.0 Authentication successful");
        });

        using var client = await OpenAsync(peer, new MailboxOptions { Address = "julien@dev.mssante.test", Password = "mot-de-passe" });

        await peer.AssertCompletedAsync();
        Assert.That(client.IsAuthenticated, Is.True);
        Assert.That(Decode(auth!, "AUTH PLAIN "), Is.EqualTo("\0julien@dev.mssante.test\0mot-de-passe"));
    }

    [Test]
    public async Task OAUTHBEARER_is_preferred_when_the_server_offers_it()
    {
        string? auth = null;
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            await s.GreetWithStartTlsAsync(["250-mail.test", "250-AUTH PLAIN OAUTHBEARER XOAUTH2", "250 8BITMIME"]);
            auth = await s.ExpectAsync("AUTH OAUTHBEARER *");
            await s.SendAsync("235 2.7.0 Accepted");
        });
        var mailbox = new MailboxOptions { Address = "claire.martin@dev.mssante.test", Authentication = MailboxAuthentication.XOAuth2, AccessTokenProvider = new CountingProvider() };

        using var client = await OpenAsync(peer, mailbox);

        await peer.AssertCompletedAsync();
        Assert.That(Decode(auth!, "AUTH OAUTHBEARER "), Does.Contain("a=claire.martin@dev.mssante.test,").And.Contain($"auth=Bearer {Token}-1"));
    }

    [Test]
    public void The_token_cannot_be_set_in_configuration_and_never_appears_in_the_settings_written()
    {
        // Someone puts a token in a settings file: no setting takes it, so it goes nowhere.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MiSS:Mailbox:Address"] = "claire.martin@dev.mssante.test",
            ["MiSS:Mailbox:Authentication"] = "XOAuth2",
            ["MiSS:Mailbox:AccessToken"] = Token,
        }).Build();
        var options = new MissOptions();
        configuration.GetSection(MissOptions.Section).Bind(options);
        options.Mailbox.AccessTokenProvider = new CountingProvider();

        Assert.That(options.Mailbox.Authentication, Is.EqualTo(MailboxAuthentication.XOAuth2));
        var written = JsonSerializer.Serialize(options);
        Assert.That(written, Does.Not.Contain("jeton-secret-de-test"));
        Assert.That(written, Does.Contain("\"AccessTokenVariable\":\"MISS_PSC_TOKEN\""));
    }

    sealed class CountingProvider : IAccessTokenProvider
    {
        public int Calls;

        public ValueTask<string> GetAccessTokenAsync(CancellationToken ct) => ValueTask.FromResult($"{Token}-{Interlocked.Increment(ref Calls)}");
    }
}
