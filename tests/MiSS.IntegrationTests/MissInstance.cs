using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MiSS.Core.Configuration;
using MiSS.Core.Conversations;
using MiSS.Core.Messaging;
using MiSS.Core.Incoming;
using MiSS.Core.Outgoing;
using MiSS.Core.Storage;
using MiSS.DevEnvironment;
using MiSS.Service.Hosting;
using MiSS.Service.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace MiSS.IntegrationTests;

/// <summary>A whole MiSS service for one practitioner, in process, wired exactly as the real host wires it.</summary>
public sealed class MissInstance : IAsyncDisposable
{
    readonly WebApplication _host;
    readonly bool _keepData;

    MissInstance(WebApplication host, DevPractitioner practitioner, string dataDirectory, bool keepData, string token)
    {
        _host = host;
        _keepData = keepData;
        Practitioner = practitioner;
        DataDirectory = dataDirectory;
        Token = token;
        Address = host.Address();
    }

    /// <summary>The instance's own API token (as written to its api-token file).</summary>
    public string Token { get; }

    /// <summary>The base address of its local API.</summary>
    public Uri Address { get; }

    /// <summary>A client of its local API, authenticated with <see cref="Token"/>.</summary>
    public HttpClient Api()
    {
        var http = new HttpClient { BaseAddress = Address };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token);
        return http;
    }

    /// <summary>A one-time link that opens the web client.</summary>
    public Uri SessionLink() => _host.SessionLink();

    public IServiceProvider Services => _host.Services;

    public DevPractitioner Practitioner { get; }
    public string DataDirectory { get; }
    public MessageStore Store => _host.Services.GetRequiredService<MessageStore>();
    public InboxStatus Inbox => _host.Services.GetRequiredService<InboxStatus>();
    public OutboxSignal Outbox => _host.Services.GetRequiredService<OutboxSignal>();
    public ConversationService Conversations => _host.Services.GetRequiredService<ConversationService>();
    public ConversationStore ConversationStore => _host.Services.GetRequiredService<ConversationStore>();
    public ExpiryStore Expiries => _host.Services.GetRequiredService<ExpiryStore>();
    public MissOptions Options => _host.Services.GetRequiredService<MissOptions>();

    /// <summary>Starts (or finds) the direct conversation with <paramref name="peer"/> and writes <paramref name="text"/> in it.</summary>
    public async Task<StoredMessage> SendDirectAsync(DevPractitioner peer, string text, PatientContext? patient = null)
    {
        var conversation = await Conversations.StartDirectAsync(peer.Address, patient);
        return await Conversations.SendTextAsync(conversation.Id, text);
    }

    /// <summary>
    /// Options of a practitioner's instance on the fixture's mail server, with its data in a new temporary folder: the
    /// dev settings (<see cref="DevInstanceSettings"/>) written there and read back as `miss run --config` reads them.
    /// </summary>
    public static MissOptions OptionsFor(DevPractitioner p)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("miss-" + p.Id + "-").FullName;
        var path = DevInstanceSettings.Write(SettingsFor(p, dataDirectory, apiPort: 0), dataDirectory);
        return MissConfiguration.Bind(new ConfigurationBuilder().AddJsonFile(path).Build());
    }

    /// <summary>
    /// Options of an instance that knows no correspondent's certificate yet (an empty certificates folder in its data
    /// folder): only a signed message received, the directory or an import can teach it one.
    /// </summary>
    public static MissOptions OptionsKnowingNoCertificate(DevPractitioner p)
    {
        var options = OptionsFor(p);
        options.Trust.CertificatesDirectory = Directory.CreateDirectory(Path.Combine(options.DataDirectory, "certificats")).FullName;
        return options;
    }

    /// <summary>The dev settings of <paramref name="p"/>'s instance on the fixture's mail server.</summary>
    public static System.Text.Json.Nodes.JsonObject SettingsFor(DevPractitioner p, string dataDirectory, int apiPort) =>
        DevInstanceSettings.For(MailServerFixture.Pki, MailServerFixture.Server, p, MailServerFixture.Account(p).Password, dataDirectory, apiPort,
            "MiSS-TEST");

    /// <summary>
    /// Starts an instance, logging as the service does (console and files in its data folder); with
    /// <paramref name="keepData"/> its data folder outlives it (to start it again); <paramref name="time"/> is its clock.
    /// </summary>
    public static async Task<MissInstance> StartAsync(DevPractitioner p, MissOptions? options = null, bool keepData = false,
        TimeProvider? time = null)
    {
        options ??= OptionsFor(p);
        var host = MissWebApplication.Build(options, MissLogging.Create(new ConfigurationBuilder().Build(), options), time);
        var token = await InstanceToken.EnsureAsync(options, host.Services.GetRequiredService<ApiTokenStore>());
        await host.StartAsync();
        return new MissInstance(host, p, options.DataDirectory, keepData, token);
    }

    /// <summary>Waits until the inbox watcher sits in IDLE, so that what arrives next comes through IDLE.</summary>
    public async Task WaitUntilIdleAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Inbox.IsIdle)
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"{Practitioner.Id}'s inbox watcher did not reach IDLE within {timeout} (last error: {Inbox.LastError})");
            }
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        await _host.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (!_keepData)
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }
}
