using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using MiSS.Core.Configuration;
using MiSS.Core.Messaging;
using MiSS.Core.Transport;
using MiSS.IntegrationTests.Api;
using static MiSS.IntegrationTests.Practitioners;

namespace MiSS.IntegrationTests.Trust;

/// <summary>
/// The trust space on a running instance whose SMTP server is a listener that only counts connections: an address
/// outside the MSSanté white list is refused by the API, and a message to one that is already in the outbox fails
/// without the server ever being contacted.
/// </summary>
public class TrustSpaceTests
{
    TcpListener _smtp = null!;
    int _connections;
    MissInstance _claire = null!;
    HttpClient _api = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _smtp = new TcpListener(IPAddress.Loopback, 0);
        _smtp.Start();
        _ = CountConnectionsAsync();
        var options = MissInstance.OptionsFor(Claire);
        options.Smtp = new MailServerOptions
        {
            Host = "localhost", Port = ((IPEndPoint)_smtp.LocalEndpoint).Port, Security = MailSecurity.StartTls,
            TrustAnchorsPath = options.Smtp.TrustAnchorsPath,
        };
        _claire = await MissInstance.StartAsync(Claire, options);
        _api = _claire.Api();
    }

    async Task CountConnectionsAsync()
    {
        try
        {
            while (true)
            {
                using var client = await _smtp.AcceptTcpClientAsync();
                Interlocked.Increment(ref _connections);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // the listener stopped
        }
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _api.Dispose();
        await _claire.DisposeAsync();
        _smtp.Stop();
        _smtp.Dispose();
    }

    [Test]
    public async Task Post_conversations_with_a_peer_outside_the_trust_space_is_422_and_nothing_is_stored_or_sent()
    {
        var before = (await _claire.ConversationStore.ListAsync()).Count;
        var messagesBefore = (await _claire.Store.ListAsync(1000)).Count;

        await ApiTests.ProblemAsync(await _api.PostAsJsonAsync("/api/conversations", new { peer = "someone@gmail.com" }),
            HttpStatusCode.UnprocessableEntity, "someone@gmail.com n'appartient pas à l'espace de confiance MSSanté");
        await ApiTests.ProblemAsync(await _api.PostAsJsonAsync("/api/conversations",
                new { name = "Sortie de M. L.", members = new[] { Julien.Address, "someone@gmail.com" } }),
            HttpStatusCode.UnprocessableEntity, "espace de confiance");

        // Two outbox polls later, still nothing: no conversation, no message, no connection to the SMTP server.
        await Task.Delay(MiSS.Core.Outgoing.OutboxSender.PollInterval * 3);
        Assert.That((await _claire.ConversationStore.ListAsync()).Count, Is.EqualTo(before));
        Assert.That((await _claire.Store.ListAsync(1000)).Count, Is.EqualTo(messagesBefore));
        Assert.That(Volatile.Read(ref _connections), Is.Zero);
    }

    [Test]
    public async Task A_message_to_an_outside_address_already_in_the_outbox_fails_with_the_reason_without_contacting_smtp()
    {
        // Defence in depth: a message that reached the outbox another way (an older store, a direct insert).
        var queued = await _claire.Store.EnqueueAsync(Claire.Address, ["someone@gmail.com"], null, "texte");
        _claire.Outbox.Notify();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        StoredMessage? message;
        while ((message = await _claire.Store.GetAsync(queued.MessageId))!.State != MessageState.Failed && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        Assert.That(message.State, Is.EqualTo(MessageState.Failed));
        Assert.That(message.Error, Does.Contain("someone@gmail.com n'appartient pas à l'espace de confiance MSSanté"));
        Assert.That(Volatile.Read(ref _connections), Is.Zero);
    }
}
