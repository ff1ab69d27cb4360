using System.Net;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using MiSS.Core.Configuration;
using MiSS.Core.PractitionerDirectory;
using MiSS.Core.Storage;
using MiSS.Service.Apis;
using MiSS.Service.Security;
using Serilog;

namespace MiSS.Service.Hosting;

/// <summary>
/// The running service: the worker (outbox, inbox, expiry) and the local API with the web client, on loopback only.
/// The command line and the tests build it here, so both run exactly the same thing.
/// </summary>
public static class MissWebApplication
{
    /// <summary>Builds the service for <paramref name="options"/>, logging to <paramref name="logger"/>, on <paramref name="time"/>.</summary>
    public static WebApplication Build(MissOptions options, Serilog.ILogger logger, TimeProvider? time = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            WebRootPath = Path.Combine(AppContext.BaseDirectory, "wwwroot"),
            EnvironmentName = Environments.Production,
        });
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.Logging.AddSerilog(logger, dispose: true);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = options.Api.MaxRequestBytes;
            if (options.Api.Port == 0)
            {
                kestrel.Listen(IPAddress.Loopback, 0);
            }
            else
            {
                kestrel.ListenLocalhost(options.Api.Port); // 127.0.0.1 and ::1, never another interface
            }
        });
        builder.Services.AddMiss(options, time);
        builder.Services.AddSingleton(sp => new CertificateDirectory(options.Trust.CertificatesDirectory, options.Mailbox.Address));
        builder.Services.AddSingleton(sp => new DirectorySearch(sp.GetRequiredService<DirectoryStore>(), sp.GetRequiredService<CertificateDirectory>(),
            options.Mailbox.Address));
        builder.Services.AddSingleton<WebSessions>();
        builder.Services.AddAuthentication(ApiAuthentication.SchemeName).AddScheme<AuthenticationSchemeOptions, ApiAuthentication>(ApiAuthentication.SchemeName, null);
        builder.Services.AddAuthorization();
        builder.Services.AddProblemDetails(problems => problems.CustomizeProblemDetails = context =>
            context.ProblemDetails.Detail ??= ApiProblems.DefaultDetail(context.ProblemDetails.Status));
        // Binding failures (bad JSON, missing body) go through ApiProblems like every other refusal.
        builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(routes => routes.ThrowOnBadRequest = true);
        builder.Services.AddExceptionHandler<ApiProblems>();
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default));
        builder.Services.AddOpenApi("v1", openApi => openApi.AddDocumentTransformer((document, _, _) =>
        {
            // The same document on every machine and port: it is committed as docs/openapi.json.
            document.Info.Title = "MiSS — API locale";
            document.Info.Version = "1";
            document.Info.Description = "Messagerie immédiate sécurisée de santé : l'API locale du service (docs/api.md).";
            document.Servers?.Clear();
            return Task.CompletedTask;
        }));
        if (options.Api.AllowedOrigins.Length > 0)
        {
            builder.Services.AddCors(cors => cors.AddDefaultPolicy(policy =>
                policy.WithOrigins(options.Api.AllowedOrigins).AllowAnyHeader().AllowAnyMethod()));
        }

        var app = builder.Build();
        app.UseLoopbackHostsOnly();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        if (options.Api.AllowedOrigins.Length > 0)
        {
            app.UseCors();
        }
        app.Use(async (context, next) =>
        {
            // The client's own files and nothing else: no framing, no sniffing, no inline script.
            context.Response.Headers.XContentTypeOptions = "nosniff";
            context.Response.Headers.XFrameOptions = "DENY";
            context.Response.Headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' blob:; object-src 'none'; frame-ancestors 'none'";
            context.Response.Headers["Referrer-Policy"] = "no-referrer";
            await next(context);
        });
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapSessionApi();
        app.MapGroup("/api").RequireAuthorization().EnforceTokenScopes()
            .MapSessionLinksApi()
            .MapStatusApi()
            .MapConversationsApi()
            .MapMessagesApi()
            .MapAttachmentsApi()
            .MapReceiptsApi()
            .MapExportApi()
            .MapDirectoryApi()
            .MapQuarantineApi()
            .MapAuditApi()
            .MapEventsApi();
        return app;
    }

    /// <summary>The base address the API listens on, once started.</summary>
    public static Uri Address(this WebApplication app)
    {
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Uri(address.Replace("[::]", "localhost", StringComparison.Ordinal));
    }

    /// <summary>A one-time link that opens the web client (for the practitioner, printed by the service).</summary>
    public static Uri SessionLink(this WebApplication app) => SessionApi.Link(app.Address(), app.Services.GetRequiredService<WebSessions>());
}
