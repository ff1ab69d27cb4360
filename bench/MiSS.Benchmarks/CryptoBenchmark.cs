using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using MiSS.Core.Secure;
using MiSS.DevEnvironment;
using MimeKit;
using MimeKit.Cryptography;
using MiSS.Core.Messaging;
using Org.BouncyCastle.Security;

namespace MiSS.Benchmarks;

/// <summary>
/// Seal (sign + encrypt for the recipient and the sender) and open (decrypt + verify + chain and CRL checks) of a
/// 1 KB text and a 1 MB photo, against the RSA-2048 operations they are made of, measured in the same run; and the
/// same RSA operation and opening on BouncyCastle (MimeKit's own S/MIME context), the alternative MiSS decided against.
/// </summary>
public class CryptoBenchmark
{
    X509Certificate2 _signer = null!;
    X509Certificate2 _recipient = null!;
    SmimeSeal _seal = null!;
    SmimeOpener _opener = null!;
    MimeEntity _text = null!;
    MimeEntity _photo = null!;
    byte[] _sealedText = [];
    byte[] _sealedPhoto = [];
    RSA _rsa = null!;
    byte[] _digest = [];
    byte[] _signature = [];
    Org.BouncyCastle.Crypto.ISigner _bcSigner = null!;
    TemporarySecureMimeContext _bcContext = null!;
    byte[] _wrapped = [];

    [GlobalSetup]
    public void Setup()
    {
        var root = RepositoryLayout.FindRoot(AppContext.BaseDirectory) ?? throw new InvalidOperationException("MiSS.sln not found");
        var pki = DevPki.LoadOrCreate(Path.Combine(root, "certs-dev"));
        _signer = pki.LoadPractitioner(DevPki.Practitioners[0]);
        _recipient = pki.LoadPractitioner(DevPki.Practitioners[1]);
        var trust = SmimeTrust.FromPemFiles(pki.TrustAnchorsPath, pki.IntermediatesPath, X509RevocationMode.Offline, TimeProvider.System, pki.CrlPaths);
        _seal = new SmimeSeal(trust, TimeProvider.System);
        _opener = new SmimeOpener(trust, _recipient);
        _text = Content(new TextPart("plain") { Text = new string('x', 1000) });
        _photo = Content(new Multipart("mixed")
        {
            new TextPart("plain") { Text = "Photo" },
            new MimePart("image", "jpeg")
            {
                Content = new MimeContent(new MemoryStream(RandomNumberGenerator.GetBytes(1_000_000))),
                ContentTransferEncoding = ContentEncoding.Base64,
                FileName = "plaie.jpg",
            },
        });
        _sealedText = Envelope(_seal.SignAndEncrypt(_text, _signer, [_recipient, _signer]));
        _sealedPhoto = Envelope(_seal.SignAndEncrypt(_photo, _signer, [_recipient, _signer]));
        _rsa = _signer.GetRSAPrivateKey()!;
        _digest = SHA256.HashData("x"u8);
        _signature = _rsa.SignHash(_digest, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        _wrapped = _rsa.Encrypt(RandomNumberGenerator.GetBytes(32), RSAEncryptionPadding.Pkcs1);
        _bcSigner = SignerUtilities.GetSigner("SHA256WITHRSA");
        _bcSigner.Init(true, DotNetUtilities.GetRsaKeyPair(_signer.GetRSAPrivateKey()!.ExportParameters(true)).Private);
        // MimeKit's BouncyCastle S/MIME context, holding the recipient's key and the anchors, as an application would set it up.
        _bcContext = new TemporarySecureMimeContext();
        using (var pfx = new MemoryStream(_recipient.Export(X509ContentType.Pkcs12, "bench")))
        {
            _bcContext.Import(pfx, "bench");
        }
        var authorities = new X509Certificate2Collection();
        authorities.ImportFromPemFile(pki.TrustAnchorsPath);
        authorities.ImportFromPemFile(pki.IntermediatesPath);
        foreach (var authority in authorities)
        {
            _bcContext.Import(new Org.BouncyCastle.X509.X509Certificate(authority.RawData));
        }
    }

    MimeEntity Content(MimeEntity body)
    {
        body.Headers.Add("From", DevPki.Practitioners[0].Address);
        return body;
    }

    byte[] Envelope(MimeEntity body)
    {
        var message = new MimeMessage((IEnumerable<Header>)[]) { Body = body };
        message.Headers.Add("From", DevPki.Practitioners[0].Address);
        message.Headers.Add("To", DevPki.Practitioners[1].Address);
        return MimeBytes.Canonical(message);
    }

    [Benchmark] public MimeEntity SealText() => _seal.SignAndEncrypt(_text, _signer, [_recipient, _signer]);
    [Benchmark] public OpenedMessage OpenText() => _opener.Open(MimeLoader.LoadMessage(_sealedText));
    [Benchmark] public MimeEntity SealPhoto() => _seal.SignAndEncrypt(_photo, _signer, [_recipient, _signer]);
    [Benchmark] public OpenedMessage OpenPhoto() => _opener.Open(MimeLoader.LoadMessage(_sealedPhoto));
    [Benchmark] public byte[] RsaPrivateSign() => _rsa.SignHash(_digest, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    [Benchmark] public byte[] RsaPrivateDecrypt() => _rsa.Decrypt(_wrapped, RSAEncryptionPadding.Pkcs1);
    [Benchmark] public bool RsaPublicVerify() => _rsa.VerifyHash(_digest, _signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    [Benchmark] public byte[] BouncyCastlePrivateSign()
    {
        _bcSigner.BlockUpdate(_digest, 0, _digest.Length);
        return _bcSigner.GenerateSignature();
    }

    /// <summary>Decrypt and verify the signature only (no chain): less than <see cref="OpenText"/> does.</summary>
    [Benchmark] public bool BouncyCastleOpenText()
    {
        var message = MimeMessage.Load(new MemoryStream(_sealedText));
        var signed = (MultipartSigned)((ApplicationPkcs7Mime)message.Body!).Decrypt(_bcContext);
        return signed.Verify(_bcContext).All(s => s.Verify(verifySignatureOnly: true));
    }

    public static string Run(string results)
    {
        var summary = BenchmarkRunner.Run<CryptoBenchmark>(InProcessConfig.Create(results, warmups: 3, iterations: 10));
        var mean = summary.Reports.ToDictionary(r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name, r => r.ResultStatistics!.Mean / 1e6);
        var (sign, decrypt, verify) = (mean[nameof(RsaPrivateSign)], mean[nameof(RsaPrivateDecrypt)], mean[nameof(RsaPublicVerify)]);
        // The RSA floor of each: seal = 1 private (sign) + 2 public (wrap the key for 2); open = 1 private (unwrap) +
        // 1 public (signature) + 4 public (leaf and CA chain, two CRLs); a public encryption costs about a verification.
        var sealFloor = sign + 2 * verify;
        var openFloor = decrypt + 5 * verify;
        var inv = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine(inv, $"RSA-2048 on this machine: private-key operation {sign:0.000} ms (sign) / {decrypt:0.000} ms (decrypt), that is {1000 / sign:0} per second; public-key operation {verify:0.000} ms ({1000 / verify:0} per second).");
        md.AppendLine();
        md.AppendLine("| operation | mean | RSA floor | ratio to the floor |");
        md.AppendLine("|---|---:|---:|---:|");
        md.AppendLine(inv, $"| seal a 1 KB text (sign, encrypt for 2) | {mean[nameof(SealText)]:0.00} ms | {sealFloor:0.00} ms | {mean[nameof(SealText)] / sealFloor:0.0}× |");
        md.AppendLine(inv, $"| open it (decrypt, verify, chain + CRLs) | {mean[nameof(OpenText)]:0.00} ms | {openFloor:0.00} ms | {mean[nameof(OpenText)] / openFloor:0.0}× |");
        md.AppendLine(inv, $"| seal a 1 MB photo | {mean[nameof(SealPhoto)]:0.00} ms | {sealFloor:0.00} ms | {mean[nameof(SealPhoto)] / sealFloor:0.0}× |");
        md.AppendLine(inv, $"| open it | {mean[nameof(OpenPhoto)]:0.00} ms | {openFloor:0.00} ms | {mean[nameof(OpenPhoto)] / openFloor:0.0}× |");
        md.AppendLine();
        md.AppendLine("For the 1 MB photo the rest is the bulk work: base64 twice (MIME, then CMS), SHA-256 and AES-256-CBC over the content.");
        md.AppendLine();
        var (bcSign, bcOpen) = (mean[nameof(BouncyCastlePrivateSign)], mean[nameof(BouncyCastleOpenText)]);
        md.AppendLine(inv, $"BouncyCastle (MimeKit's S/MIME context), same run: RSA-2048 private-key sign {bcSign:0.000} ms ({bcSign / sign:0.0}× .NET's); " +
                           $"opening the 1 KB text (decrypt and signature, without the chain) {bcOpen:0.00} ms ({bcOpen / mean[nameof(OpenText)]:0.0}× MiSS's full open).");
        return md.ToString();
    }
}
