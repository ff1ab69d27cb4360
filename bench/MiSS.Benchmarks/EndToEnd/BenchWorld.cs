using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MiSS.Core.Configuration;
using MiSS.Core.Storage;
using MiSS.DevEnvironment;
using MailKit.Net.Imap;
using Microsoft.Extensions.Logging.Abstractions;
using MiSS.Core.Transport;
using MiSS.Service.Hosting;
using MiSS.Service.Security;
using Serilog;

namespace MiSS.Benchmarks.EndToEnd;

/// <summary>The local mail server and the dev PKI the end-to-end benchmarks run on (a fresh server, free ports).</summary>
sealed class BenchWorld : IAsyncDisposable
{
    readonly string _directory;

    BenchWorld(string directory, DevPki pki, LocalMailServer server)
    {
        _directory = directory;
        Pki = pki;
        Server = server;
    }

    public DevPki Pki { get; }
    public LocalMailServer Server { get; }

    /// <summary>
    /// <paramref name="p"/>'s mailbox on this server, verified against the dev root only, as an instance does (the raw
    /// baselines open their sessions with it: MailKit and the TLS policy, no MiSS pipeline in the way).
    /// </summary>
    public MissOptions MailboxOptions(DevPractitioner p)
    {
        var options = new MissOptions();
        options.Mailbox.Address = p.Address;
        options.Mailbox.Password = Password(p);
        options.Imap = new MailServerOptions { Host = "localhost", Port = Server.Ports.Imap, Security = MailSecurity.StartTls, TrustAnchorsPath = Pki.TrustAnchorsPath };
        options.Smtp = new MailServerOptions { Host = "localhost", Port = Server.Ports.Submission, Security = MailSecurity.StartTls, TrustAnchorsPath = Pki.TrustAnchorsPath };
        return options;
    }

    public static async Task<BenchWorld> StartAsync()
    {
        var root = RepositoryLayout.FindRoot(AppContext.BaseDirectory) ?? throw new InvalidOperationException("MiSS.sln not found");
        var pki = DevPki.LoadOrCreate(Path.Combine(root, "certs-dev"));
        var directory = Path.Combine(Path.GetTempPath(), "miss-bench-" + Guid.NewGuid().ToString("N")[..8]);
        var server = await LocalMailServer.StartAsync(new LocalMailServerOptions
        {
            Directory = directory,
            Accounts = DevPki.Practitioners.Select(p => new MailAccount(p.Address, Convert.ToHexString(RandomNumberGenerator.GetBytes(12)))).ToList(),
            TlsCertificatePath = pki.MailServerCertificatePath,
            TlsKeyPath = pki.MailServerKeyPath,
        });
        return new BenchWorld(directory, pki, server);
    }

    public string Password(DevPractitioner p) => Server.Options.Accounts.Single(a => a.Address == p.Address).Password;

    /// <summary>A plain IMAP session on <paramref name="p"/>'s mailbox (the raw baselines: no MiSS in the way).</summary>
    public Task<ImapClient> OpenImapAsync(DevPractitioner p) => MailboxOptions(p).OpenImapAsync(NullLogger.Instance, CancellationToken.None);

    /// <summary>A plain SMTP submission session as <paramref name="p"/>.</summary>
    public Task<SubmissionClient> OpenSmtpAsync(DevPractitioner p) => MailboxOptions(p).OpenSmtpAsync(NullLogger.Instance, CancellationToken.None);

    /// <summary>A plain text message for the raw baselines, built with MimeKit.</summary>
    public static MimeKit.MimeMessage RawMessage(DevPractitioner from, DevPractitioner to, string subject, string messageId, string body)
    {
        var message = new MimeKit.MimeMessage { Subject = subject, MessageId = messageId, Date = DateTimeOffset.UtcNow };
        message.From.Add(new MimeKit.MailboxAddress("", from.Address));
        message.To.Add(new MimeKit.MailboxAddress("", to.Address));
        message.Body = new MimeKit.TextPart("plain") { Text = body };
        return message;
    }

    /// <summary>An instance's dev settings on this server.</summary>
    public JsonObject SettingsFor(DevPractitioner p, string dataDirectory, int apiPort) =>
        DevInstanceSettings.For(Pki, Server, p, Password(p), dataDirectory, apiPort, "MiSS-BENCH");

    /// <summary>A new temporary data folder for <paramref name="p"/>'s instance.</summary>
    public static string NewDataDirectory(DevPractitioner p) => Directory.CreateTempSubdirectory("miss-bench-" + p.Id + "-").FullName;

    /// <summary>An instance's settings on this server, as `miss run --config` reads them, its data in a new folder, the API on a free port.</summary>
    public MissOptions OptionsFor(DevPractitioner p)
    {
        var dataDirectory = NewDataDirectory(p);
        var path = DevInstanceSettings.Write(SettingsFor(p, dataDirectory, apiPort: 0), dataDirectory);
        return MissConfiguration.Bind(new ConfigurationBuilder().AddJsonFile(path).Build());
    }

    /// <summary>A whole service in this process, as `miss run` builds it (logging warnings only, to a file).</summary>
    public async Task<BenchInstance> StartInstanceAsync(DevPractitioner p)
    {
        var options = OptionsFor(p);
        var logger = new LoggerConfiguration().MinimumLevel.Warning()
            .WriteTo.File(Path.Combine(options.DataDirectory, "logs", "bench.log"), formatProvider: System.Globalization.CultureInfo.InvariantCulture)
            .CreateLogger();
        var app = MissWebApplication.Build(options, logger);
        var token = await InstanceToken.EnsureAsync(options, app.Services.GetRequiredService<ApiTokenStore>());
        await app.StartAsync();
        return new BenchInstance(app, options, token);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A daemon still closing a file: the temporary folder is left.
        }
    }
}

/// <summary>A running in-process instance and a client of its API.</summary>
sealed class BenchInstance(WebApplication app, MissOptions options, string token) : IAsyncDisposable
{
    public MissOptions Options => options;
    public IServiceProvider Services => app.Services;
    public Uri Address { get; } = app.Address();

    public HttpClient Api(TimeSpan? timeout = null)
    {
        var http = new HttpClient { BaseAddress = Address, Timeout = timeout ?? TimeSpan.FromSeconds(100) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(options.DataDirectory, recursive: true);
    }
}
