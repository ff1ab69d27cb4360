using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MailKit.Security;
using Microsoft.Extensions.Logging.Abstractions;
using MiSS.Core.Configuration;
using MiSS.Core.Transport;

namespace MiSS.Core.Tests.Transport;

/// <summary>
/// The TLS and credential rules of every connection MiSS opens (<see cref="MailboxConnection"/>, <see cref="TlsPolicy"/>),
/// against scripted SMTP peers: what a refused connection says, and that no credentials left on it.
/// </summary>
[CancelAfter(30_000)]
public class TlsPolicyTests
{
    static Task<SubmissionClient> OpenAsync(MissOptions options) => options.OpenSmtpAsync(NullLogger.Instance, CancellationToken.None);

    [Test]
    public async Task A_server_trusted_through_the_configured_anchor_is_reached_over_TLS_1_2_or_1_3()
    {
        PeerSession? session = null;
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            session = s;
            await s.GreetWithStartTlsAsync();
            await s.ExpectAsync("AUTH PLAIN *");
            await s.SendAsync("235 2.7.0 Authentication successful");
        });

        using var client = await OpenAsync(TransportTestOptions.For(peer.Port));

        await peer.AssertCompletedAsync();
        Assert.That(client.IsSecure && client.IsAuthenticated, Is.True);
        Assert.That(session!.TlsProtocol, Is.EqualTo(System.Security.Authentication.SslProtocols.Tls12).Or.EqualTo(System.Security.Authentication.SslProtocols.Tls13));
    }

    [Test]
    public async Task Without_TLS_credentials_are_never_sent_even_when_the_server_offers_AUTH()
    {
        PeerSession? session = null;
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            session = s;
            await s.GreetAsync(["250-mail.test", "250-AUTH PLAIN LOGIN", "250 8BITMIME"]);
            await s.WaitForCloseAsync();
        });

        var e = await Assert.ThrowsAsync<InsecureTransportException>(() => OpenAsync(TransportTestOptions.For(peer.Port, MailSecurity.None)));

        await peer.AssertCompletedAsync();
        Assert.That(e!.Message, Does.Contain("identifiants non envoyés").And.Contain("TLS"));
        Assert.That(session!.ReceivedLines, Has.None.StartsWith("AUTH"));
        Assert.That(TransportFailure.Is(e), Is.True);
    }

    [Test]
    public async Task STARTTLS_configured_and_not_offered_fails_instead_of_going_on_in_the_clear()
    {
        PeerSession? session = null;
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            session = s;
            await s.GreetAsync(["250-mail.test", "250-AUTH PLAIN LOGIN", "250 8BITMIME"]);
            await s.WaitForCloseAsync();
        });

        var e = await Assert.ThrowsAsync<InsecureTransportException>(() => OpenAsync(TransportTestOptions.For(peer.Port)));

        await peer.AssertCompletedAsync();
        Assert.That(e!.Message, Does.Contain("ne propose pas STARTTLS"));
        Assert.That(session!.ReceivedLines, Has.None.StartsWith("AUTH").And.None.StartsWith("MAIL"));
    }

    [Test]
    public async Task A_server_certificate_from_another_CA_is_refused_when_anchors_are_configured()
    {
        using var foreign = TestCertificates.CreateServer(TestCertificates.OtherCa, TestCertificates.ServerName);
        PeerSession? session = null;
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            session = s;
            try
            {
                await s.GreetWithStartTlsAsync(certificate: foreign);
            }
            catch (Exception e) when (e is System.Security.Authentication.AuthenticationException or IOException)
            {
                // The client aborts the handshake: expected.
            }
        });

        var e = await Assert.ThrowsAsync<SslHandshakeException>(() => OpenAsync(TransportTestOptions.For(peer.Port)));

        await peer.AssertCompletedAsync();
        Assert.That(e!.Message, Does.Contain("autorité racine non reconnue"));
        Assert.That(TransportFailure.Describe(e), Is.EqualTo(e.Message));
        Assert.That(session!.ReceivedLines, Has.None.StartsWith("AUTH"));
    }

    [Test]
    public async Task A_server_certificate_for_another_host_name_is_refused()
    {
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            try
            {
                await s.GreetWithStartTlsAsync();
            }
            catch (Exception e) when (e is System.Security.Authentication.AuthenticationException or IOException)
            {
            }
        });

        // The certificate names mail.test and 127.0.0.1, not localhost.
        var e = await Assert.ThrowsAsync<SslHandshakeException>(() => OpenAsync(TransportTestOptions.For(peer.Port, host: "localhost")));

        Assert.That(e!.Message, Does.Contain("n'est pas au nom de « localhost »"));
    }

    [Test]
    public async Task The_escape_hatch_accepts_a_foreign_certificate()
    {
        using var foreign = TestCertificates.CreateServer(TestCertificates.OtherCa, "ailleurs.test");
        await using var peer = ScriptedSmtpPeer.Start(async s =>
        {
            await s.GreetWithStartTlsAsync(certificate: foreign);
            await s.ExpectAsync("AUTH PLAIN *");
            await s.SendAsync("235 2.7.0 Authentication successful");
        });
        var options = TransportTestOptions.For(peer.Port);
        options.Smtp.DangerouslyAcceptAnyServerCertificate = true;

        using var client = await OpenAsync(options);

        Assert.That(client.IsAuthenticated, Is.True);
    }

    [Test]
    public async Task The_client_certificate_of_the_mailbox_is_presented()
    {
        using var clientCertificate = TestCertificates.CreateServer(TestCertificates.Ca, "cabinet.test");
        var path = Path.Combine(Path.GetTempPath(), $"miss-client-{Guid.NewGuid():N}.p12");
        await File.WriteAllBytesAsync(path, clientCertificate.Export(X509ContentType.Pkcs12, "secret"));
        try
        {
            PeerSession? session = null;
            await using var peer = ScriptedSmtpPeer.Start(async s =>
            {
                session = s;
                await s.GreetWithStartTlsAsync(askClientCertificate: true);
                await s.ExpectAsync("AUTH PLAIN *");
                await s.SendAsync("235 2.7.0 Authentication successful");
            });
            var options = TransportTestOptions.For(peer.Port);
            options.Mailbox.ClientCertificatePath = path;
            options.Mailbox.ClientCertificatePassword = "secret";

            using var client = await OpenAsync(options);

            await peer.AssertCompletedAsync();
            Assert.That(session!.ClientCertificate?.GetCertHashString(), Is.EqualTo(clientCertificate.GetCertHashString()));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public async Task The_client_hello_offers_TLS_1_2_and_1_3_only()
    {
        var hello = await ClientHelloOfAsync(TransportTestOptions.For(0, MailSecurity.ImplicitTls));

        var versions = ClientHello.OfferedVersions(hello);
        Assert.That(versions, Is.SubsetOf(new[] { 0x0303, 0x0304 }).And.Not.Empty);
        Assert.That(versions, Does.Not.Contain(0x0302).And.Not.Contain(0x0301), "TLS 1.1 and 1.0 must not be offered");
    }

    [Test]
    public async Task The_client_hello_offers_the_cipher_suites_of_the_transport_profile_only()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Ignore("cipher suites are enforced on Linux (OpenSSL) only");
        }
        var options = TransportTestOptions.For(0, MailSecurity.ImplicitTls);
        options.Smtp.CipherSuites = [nameof(TlsCipherSuite.TLS_AES_256_GCM_SHA384), nameof(TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)];

        var hello = await ClientHelloOfAsync(options);

        Assert.That(ClientHello.OfferedSuites(hello), Is.EquivalentTo(new[] { (int)TlsCipherSuite.TLS_AES_256_GCM_SHA384, (int)TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 }));
    }

    /// <summary>The ClientHello record a connection with <paramref name="options"/> sends (implicit TLS; the peer then closes).</summary>
    static async Task<byte[]> ClientHelloOfAsync(MissOptions options)
    {
        byte[]? hello = null;
        await using var peer = ScriptedPeer.Start(async s =>
        {
            var header = await s.ReadExactlyAsync(5);
            var length = (header[3] << 8) | header[4];
            hello = [.. header, .. await s.ReadExactlyAsync(length)];
            s.Close();
        });
        options.Smtp.Port = peer.Port;

        var e = await Assert.ThrowsAsync(Is.InstanceOf<Exception>(), () => OpenAsync(options));
        Assert.That(TransportFailure.Is(e!), Is.True, e!.ToString());
        await peer.AssertCompletedAsync();
        return hello!;
    }

    /// <summary>Minimal reader of a TLS ClientHello record: the protocol versions and cipher suites the client offers.</summary>
    static class ClientHello
    {
        /// <summary>The cipher suites, without GREASE values and the renegotiation signalling value (0x00FF).</summary>
        public static List<int> OfferedSuites(byte[] record)
        {
            var p = 5 + 4 + 2 + 32;
            p += 1 + record[p];
            var length = (record[p] << 8) | record[p + 1];
            var suites = new List<int>();
            for (var i = p + 2; i < p + 2 + length; i += 2)
            {
                var suite = (record[i] << 8) | record[i + 1];
                if (suite != 0x00ff && (suite & 0x0f0f) != 0x0a0a)
                {
                    suites.Add(suite);
                }
            }
            return suites;
        }

        public static List<int> OfferedVersions(byte[] record)
        {
            Assert.That(record[0], Is.EqualTo(0x16), "handshake record");
            var p = 5;
            Assert.That(record[p], Is.EqualTo(0x01), "ClientHello");
            p += 4;
            var legacyVersion = (record[p] << 8) | record[p + 1];
            p += 2 + 32;
            p += 1 + record[p];
            p += 2 + ((record[p] << 8) | record[p + 1]);
            p += 1 + record[p];
            var extensionsEnd = p + 2 + ((record[p] << 8) | record[p + 1]);
            p += 2;
            while (p + 4 <= extensionsEnd)
            {
                var type = (record[p] << 8) | record[p + 1];
                var length = (record[p + 2] << 8) | record[p + 3];
                p += 4;
                if (type == 0x002b)
                {
                    var versions = new List<int>();
                    for (var i = 1; i + 1 < 1 + record[p]; i += 2)
                    {
                        var version = (record[p + i] << 8) | record[p + i + 1];
                        if ((version & 0x0f0f) != 0x0a0a)
                        {
                            versions.Add(version);
                        }
                    }
                    return versions;
                }
                p += length;
            }
            // No supported_versions extension: the legacy field is the only (and highest) version offered.
            return [legacyVersion];
        }
    }
}
