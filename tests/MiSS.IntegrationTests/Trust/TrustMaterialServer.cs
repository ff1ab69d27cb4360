using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MiSS.IntegrationTests.Trust;

/// <summary>
/// A real HTTPS server on 127.0.0.1 (Kestrel) standing for the IGC-Santé CRL and white list publishers: each path
/// answers what the test last set (bytes, or an HTTP status), with a certificate for "localhost" from a test CA.
/// </summary>
public sealed class TrustMaterialServer : IAsyncDisposable
{
    readonly WebApplication _app;
    readonly ConcurrentDictionary<string, (int Status, byte[] Body)> _answers = new(StringComparer.Ordinal);

    TrustMaterialServer(WebApplication app) => _app = app;

    /// <summary>The server's base address (https://localhost:port/).</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>How many requests it has answered.</summary>
    public int Requests => _requests;

    int _requests;

    /// <summary>The address of <paramref name="path"/> on this server.</summary>
    public Uri At(string path) => new(BaseAddress, path);

    /// <summary>From now on, <paramref name="path"/> answers 200 with <paramref name="body"/>.</summary>
    public void Serve(string path, byte[] body) => _answers[path] = (200, body);

    /// <summary>From now on, <paramref name="path"/> answers <paramref name="status"/> with an HTML error page.</summary>
    public void Fail(string path, int status) => _answers[path] = (status, "<html>erreur interne</html>"u8.ToArray());

    /// <summary>Starts a server presenting <paramref name="certificate"/> (with its key and issuer chain as given).</summary>
    public static async Task<TrustMaterialServer> StartAsync(X509Certificate2 certificate)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        var app = builder.Build();
        var server = new TrustMaterialServer(app);
        app.Run(async context =>
        {
            Interlocked.Increment(ref server._requests);
            if (!server._answers.TryGetValue(context.Request.Path.Value?.TrimStart('/') ?? "", out var answer))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
            context.Response.StatusCode = answer.Status;
            await context.Response.Body.WriteAsync(answer.Body);
        });
        await app.StartAsync();
        var port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        server.BaseAddress = new Uri($"https://localhost:{port}/");
        return server;
    }

    /// <summary>A CA for test web servers (self-signed, with its key).</summary>
    public static X509Certificate2 CreateCa(string name)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}, O=MiSS tests", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
    }

    /// <summary>A TLS server certificate for localhost and 127.0.0.1 issued by <paramref name="ca"/>, with its key.</summary>
    public static X509Certificate2 IssueServerCertificate(X509Certificate2 ca)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost, O=MiSS tests", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7F;
        using var issued = request.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddMonths(6), serial);
        // Kestrel on Linux wants a certificate whose key it can use as is: round-trip through PKCS#12.
        return X509CertificateLoader.LoadPkcs12(issued.CopyWithPrivateKey(key).Export(X509ContentType.Pkcs12), null);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
