using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using MiSS.Mail.Tls;

namespace MiSS.Mail.Tests.Tls;

/// <summary>TlsConnector against an SslStream server on loopback with throwaway certificates.</summary>
[TestFixture]
[CancelAfter(30_000)]
public sealed class TlsConnectorTests
{
    private static readonly TlsSettings TrustTestCa = new() { TrustAnchors = [TestCertificates.Ca] };

    [Test]
    public async Task Connects_when_the_test_CA_is_the_trust_anchor()
    {
        await using var peer = ScriptedPeer.Start(async s =>
        {
            await s.StartTlsAsync(TestCertificates.Server);
            await s.SendAsync("hello over TLS");
            await s.WaitForCloseAsync();
        });

        await using var ssl = await ConnectAsync(peer, TestCertificates.ServerName, TrustTestCa);

        Assert.That(ssl.SslProtocol, Is.EqualTo(SslProtocols.Tls13).Or.EqualTo(SslProtocols.Tls12));
        var buffer = new byte[64];
        var read = await ssl.ReadAsync(buffer);
        Assert.That(System.Text.Encoding.ASCII.GetString(buffer, 0, read), Is.EqualTo("hello over TLS\r\n"));
    }

    [Test]
    public async Task Presents_the_configured_client_certificate_and_none_otherwise()
    {
        using var clientCertificate = TestCertificates.CreateServer(TestCertificates.Ca, "cabinet.dev.mssante.test");
        var withCertificate = new TlsSettings { TrustAnchors = [TestCertificates.Ca], ClientCertificate = clientCertificate };

        Assert.That(await CertificateTheServerSawAsync(withCertificate), Is.EqualTo(clientCertificate.Thumbprint));
        Assert.That(await CertificateTheServerSawAsync(TrustTestCa), Is.Null);
    }

    private static async Task<string?> CertificateTheServerSawAsync(TlsSettings settings)
    {
        var seen = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var peer = ScriptedPeer.Start(async s =>
        {
            await s.StartTlsAsync(TestCertificates.Server, askClientCertificate: true);
            seen.SetResult(s.ClientCertificate?.GetCertHashString());
            await s.WaitForCloseAsync();
        });
        await using (await ConnectAsync(peer, TestCertificates.ServerName, settings))
        {
            return await seen.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    [Test]
    public async Task Rejects_a_server_whose_CA_is_not_an_anchor()
    {
        await using var peer = ScriptedPeer.Start(s => s.StartTlsAsync(TestCertificates.Server));
        var settings = new TlsSettings { TrustAnchors = [TestCertificates.OtherCa] };

        var ex = await Assert.ThrowsAsync<MailTlsException>(() => ConnectAsync(peer, TestCertificates.ServerName, settings));

        Assert.That(ex!.Message, Does.Contain("untrusted root"));
        Assert.That(ex.Message, Does.Contain("MiSS Test CA"), "names the issuer that was not trusted");
    }

    [Test]
    public async Task Rejects_a_private_CA_under_system_trust()
    {
        await using var peer = ScriptedPeer.Start(s => s.StartTlsAsync(TestCertificates.Server));

        var ex = await Assert.ThrowsAsync<MailTlsException>(
            () => ConnectAsync(peer, TestCertificates.ServerName, new TlsSettings()));

        Assert.That(ex!.Message, Does.Contain("untrusted root"));
    }

    [Test]
    public async Task Rejects_a_host_name_mismatch()
    {
        await using var peer = ScriptedPeer.Start(s => s.StartTlsAsync(TestCertificates.Server));

        var ex = await Assert.ThrowsAsync<MailTlsException>(() => ConnectAsync(peer, "other.test", TrustTestCa));

        Assert.That(ex!.Message, Does.Contain("host name mismatch"));
        Assert.That(ex.Message, Does.Contain("'mail.test'").And.Contain("'other.test'"));
        Assert.That(ex.Message, Does.Not.Contain("untrusted"), "the chain itself is fine");
    }

    [Test]
    public async Task Rejects_an_expired_certificate()
    {
        var now = DateTimeOffset.UtcNow;
        var expired = TestCertificates.CreateServer(TestCertificates.Ca, TestCertificates.ServerName, now.AddDays(-20), now.AddDays(-2));
        await using var peer = ScriptedPeer.Start(s => s.StartTlsAsync(expired));

        var ex = await Assert.ThrowsAsync<MailTlsException>(() => ConnectAsync(peer, TestCertificates.ServerName, TrustTestCa));

        Assert.That(ex!.Message, Does.Contain("expired on"));
    }

    [Test]
    public async Task Accepts_anything_only_with_the_explicit_escape_hatch()
    {
        await using var peer = ScriptedPeer.Start(async s =>
        {
            await s.StartTlsAsync(TestCertificates.Server);
            await s.WaitForCloseAsync();
        });
        var settings = new TlsSettings { TrustAnchors = [TestCertificates.OtherCa], DangerouslyAcceptAnyServerCertificate = true };

        await using var ssl = await ConnectAsync(peer, "wrong.name", settings);

        Assert.That(ssl.IsAuthenticated, Is.True);
    }

    [Test]
    public async Task Refuses_settings_that_could_never_trust_a_server()
    {
        using var stream = new MemoryStream();
        var noTrust = await Assert.ThrowsAsync<MailTlsException>(() => TlsConnector.AuthenticateAsClientAsync(
            stream, "mail.test", new TlsSettings { UseSystemTrust = false }, CancellationToken.None));
        var emptyAnchors = await Assert.ThrowsAsync<MailTlsException>(() => TlsConnector.AuthenticateAsClientAsync(
            stream, "mail.test", new TlsSettings { TrustAnchors = [] }, CancellationToken.None));

        Assert.That(noTrust!.Message, Does.Contain("UseSystemTrust is false"));
        Assert.That(emptyAnchors!.Message, Does.Contain("TrustAnchors is set but empty"));
    }

    [Test]
    public async Task A_silent_server_makes_the_handshake_time_out()
    {
        await using var peer = ScriptedPeer.Start(s => s.HangAsync());
        var settings = new TlsSettings { TrustAnchors = [TestCertificates.Ca], HandshakeTimeout = TimeSpan.FromMilliseconds(300) };
        var watch = Stopwatch.StartNew();

        var ex = await Assert.ThrowsAsync<MailTlsException>(() => ConnectAsync(peer, TestCertificates.ServerName, settings));

        Assert.That(ex!.Message, Does.Contain("timed out"));
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
    }

    [Test]
    public async Task A_server_that_is_not_speaking_TLS_fails_with_a_TLS_exception()
    {
        await using var peer = ScriptedPeer.Start(async s =>
        {
            await s.SendAsync("220 mail.test ESMTP this is not TLS");
            await s.WaitForCloseAsync();
        });

        var ex = await Assert.ThrowsAsync<MailTlsException>(() => ConnectAsync(peer, TestCertificates.ServerName, TrustTestCa));

        Assert.That(ex!.Message, Does.StartWith("TLS handshake with mail.test failed").Or.StartWith("connection closed by the server during the TLS handshake"));
    }

    [Test]
    public async Task The_client_hello_offers_TLS_1_2_and_1_3_only()
    {
        byte[]? hello = null;
        await using var peer = ScriptedPeer.Start(async s =>
        {
            var header = await s.ReadExactlyAsync(5);
            var length = (header[3] << 8) | header[4];
            hello = [.. header, .. await s.ReadExactlyAsync(length)];
            s.Close();
        });

        await Assert.ThrowsAsync<MailTlsException>(() => ConnectAsync(peer, TestCertificates.ServerName, TrustTestCa));
        await peer.AssertCompletedAsync();

        var versions = ClientHello.OfferedVersions(hello!);
        Assert.That(versions, Is.SubsetOf(new[] { 0x0303, 0x0304 }).And.Not.Empty);
        Assert.That(versions, Does.Not.Contain(0x0302).And.Not.Contain(0x0301), "TLS 1.1 and 1.0 must not be offered");
    }

    [Test]
    public void Describes_each_kind_of_rejection()
    {
        var message = TlsConnector.DescribeRejection("mail.test", null, null, SslPolicyErrors.RemoteCertificateNotAvailable);
        Assert.That(message, Does.Contain("presented no certificate"));
    }

    private static async Task<SslStream> ConnectAsync(ScriptedPeer peer, string targetHost, TlsSettings settings)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, peer.Port);
        return await TlsConnector.AuthenticateAsClientAsync(tcp.GetStream(), targetHost, settings, CancellationToken.None);
    }

    /// <summary>Minimal reader of a TLS ClientHello record: which protocol versions the client offers.</summary>
    private static class ClientHello
    {
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
