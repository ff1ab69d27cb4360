using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using MiSS.Core.Configuration;
using MiSS.Mail.Smtp;
using MiSS.Mail.Tests.Smtp;
using MiSS.Mail.Tls;

namespace MiSS.Core.Tests.Configuration;

/// <summary>Password or XOAUTH2 (Pro Santé Connect token) against a scripted SMTP peer; the token is never kept.</summary>
[CancelAfter(30_000)]
public class MailboxCredentialsTests
{
    const string Token = "psc-eyJhbGciOiJSUzI1NiJ9.jeton-secret-de-test";
    static readonly string[] EhloWithXOAuth2 = ["250-mail.test", "250-AUTH PLAIN LOGIN XOAUTH2", "250 8BITMIME"];

    static async Task<SmtpClient> ConnectAsync(Mail.Tests.Tls.ScriptedPeer peer)
    {
        var client = new SmtpClient();
        await client.ConnectAsync("127.0.0.1", peer.Port, MailSecurity.None, new TlsSettings { AllowPlaintext = true });
        return client;
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
                await s.GreetAsync(EhloWithXOAuth2);
                auth = await s.ExpectAsync("AUTH XOAUTH2 *");
                await s.SendAsync("235 2.7.0 Accepted");
            });
            await using var client = await ConnectAsync(peer);
            var mailbox = new MailboxOptions { Address = "claire.martin@dev.mssante.test", Authentication = MailboxAuthentication.XOAuth2, AccessTokenVariable = variable };

            await mailbox.AuthenticateAsync(client, CancellationToken.None);

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
                await s.GreetAsync(EhloWithXOAuth2);
                auth = await s.ExpectAsync("AUTH XOAUTH2 *");
                await s.SendAsync("235 2.7.0 Accepted");
            });
            await using var client = await ConnectAsync(peer);
            await mailbox.AuthenticateAsync(client, CancellationToken.None);
            await peer.AssertCompletedAsync();
            Assert.That(Decode(auth!, "AUTH XOAUTH2 "), Does.Contain($"auth=Bearer {Token}-{i}"));
        }
        Assert.That(provider.Calls, Is.EqualTo(2), "a fresh token at each connection, none cached");
    }

    [Test]
    public async Task Without_a_token_nothing_is_sent_and_the_reason_names_the_variable()
    {
        var variable = "MISS_TEST_TOKEN_" + Guid.NewGuid().ToString("N");
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            await s.GreetAsync(EhloWithXOAuth2);
            await s.ExpectAsync("QUIT");
            await s.SendAsync("221 2.0.0 Bye");
        });
        await using var client = await ConnectAsync(peer);
        var mailbox = new MailboxOptions { Address = "claire.martin@dev.mssante.test", Authentication = MailboxAuthentication.XOAuth2, AccessTokenVariable = variable };

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => mailbox.AuthenticateAsync(client, CancellationToken.None));
        Assert.That(e!.Message, Does.Contain(variable).And.Contain("Pro Santé Connect"));
        await client.QuitAsync();
        await peer.AssertCompletedAsync();
    }

    [Test]
    public async Task The_password_path_is_unchanged()
    {
        string? auth = null;
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            await s.GreetAsync();
            auth = await s.ExpectAsync("AUTH PLAIN *");
            await s.SendAsync("235 2.7.0 Authentication successful");
        });
        await using var client = await ConnectAsync(peer);

        await new MailboxOptions { Address = "julien@dev.mssante.test", Password = "mot-de-passe" }.AuthenticateAsync(client, CancellationToken.None);

        await peer.AssertCompletedAsync();
        Assert.That(Decode(auth!, "AUTH PLAIN "), Is.EqualTo("\0julien@dev.mssante.test\0mot-de-passe"));
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
