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
using MiSS.Mail.Imap;
using MiSS.Mail.Smtp;
using MiSS.Mail.Tls;
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

    /// <summary>TLS settings that verify the server against the dev root, as an instance does.</summary>
    public TlsSettings Tls
    {
        get
        {
            var anchors = new X509Certificate2Collection();
            anchors.ImportFromPemFile(Pki.TrustAnchorsPath);
            return new TlsSettings { TrustAnchors = anchors, UseSystemTrust = false };
        }
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
    public async Task<ImapClient> OpenImapAsync(DevPractitioner p)
    {
        var imap = new ImapClient();
        await imap.ConnectAsync("localhost", Server.Ports.Imap, MailSecurity.StartTls, Tls);
        await imap.LoginAsync(p.Address, Password(p));
        return imap;
    }

    /// <summary>A plain SMTP submission session as <paramref name="p"/>.</summary>
    public async Task<SmtpClient> OpenSmtpAsync(DevPractitioner p)
    {
        var smtp = new SmtpClient();
        await smtp.ConnectAsync("localhost", Server.Ports.Submission, MailSecurity.StartTls, Tls);
        await smtp.AuthenticateAsync(p.Address, Password(p));
        return smtp;
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
