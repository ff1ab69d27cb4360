using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using MimeKit;
using MiSS.Core.Messaging;
using MiSS.Core.Secure;
using MiSS.Core.Tests.Secure;

namespace MiSS.Core.Tests.Messaging;

/// <summary>
/// Allocations for a message carrying a 25 MiB attachment, loaded with <see cref="MimeLoader"/> (persistent: the
/// body is never copied), opened with <see cref="SmimeOpener"/> and read with <see cref="ReceivedMessageReader"/>.
/// Bytes are counted with <see cref="GC.GetAllocatedBytesForCurrentThread"/>: every step runs synchronously on the test thread.
/// </summary>
[NonParallelizable]
public class LargeMessageMemoryTests
{
    const int ContentLength = 25 << 20;

    // What does not grow with the body: header strings, parser and writer buffers.
    const long Overhead = 1 << 20;

    byte[] _content = [];
    byte[] _signed = [];
    byte[] _encrypted = [];

    [OneTimeSetUp]
    public void BuildTheMessages()
    {
        _content = new byte[ContentLength];
        new Random(25).NextBytes(_content);
        var seal = new SmimeSeal(TestPki.Trust(), TimeProvider.System);
        MimeEntity Content() => new Multipart("mixed")
        {
            SmimeFixtures.Content("Bonjour, le compte rendu est en pièce jointe.", TestPki.Claire),
            MimeTest.Attachment("application/pdf", _content, "compte-rendu.pdf"),
        };
        var claire = SmimeFixtures.Certificate(TestPki.Claire);
        _signed = MimeBytes.Canonical(SmimeFixtures.Envelope(TestPki.Claire.Address, seal.Sign(Content(), claire)));
        _encrypted = MimeBytes.Canonical(SmimeFixtures.Envelope(TestPki.Claire.Address,
            seal.SignAndEncrypt(Content(), claire, [SmimeFixtures.Certificate(TestPki.Julien)])));
        // Warm-up: types, MimeKit's tables and the certificate chain are not what is measured.
        var small = MimeBytes.Canonical(SmimeFixtures.Envelope(TestPki.Claire.Address, seal.SignAndEncrypt(
            new Multipart("mixed") { SmimeFixtures.Content("x", TestPki.Claire), MimeTest.Attachment("application/pdf", [1, 2, 3], "a.pdf") },
            claire, [SmimeFixtures.Certificate(TestPki.Julien)])));
        var warm = MimeLoader.LoadMessage(small);
        ReceivedMessageReader.Read(warm, SmimeFixtures.OpenerFor(TestPki.Julien).Open(warm));
    }

    static (T Result, long Allocated) Measure<T>(Func<T> step)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var result = step();
        return (result, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Test]
    public void TheMessagesAreAbout25MiBOfBase64()
    {
        // 4/3 for base64, plus CRLF every 76 characters: 1.37 × the content; encrypted, that is encoded twice.
        Assert.That(_signed.Length, Is.InRange(ContentLength * 4L / 3, ContentLength * 14L / 10));
        Assert.That(_encrypted.Length, Is.InRange(_signed.Length * 4L / 3, _signed.Length * 14L / 10));
    }

    [Test]
    public void LoadingASignedMessageCopiesNoBodyAndOpeningItCopiesTheSignedBytesOnce()
    {
        var (message, loading) = Measure(() => MimeLoader.LoadMessage(new MemoryStream(_signed, writable: false)));
        var opener = SmimeFixtures.OpenerFor(TestPki.Julien);
        var (opened, opening) = Measure(() => opener.Open(message));
        var ((received, _), reading) = Measure(() => ReceivedMessageReader.Read(message, opened));
        var sink = new HashingStream();
        var (_, writing) = Measure(() => { message.WriteTo(new FormatOptions { NewLineFormat = NewLineFormat.Dos }, sink); return 0; });
        TestContext.Out.WriteLine($"message {_signed.Length:N0} bytes; allocated: load {loading:N0}, open {opening:N0}, read {reading:N0}, write {writing:N0}");

        Assert.That(opened.Status, Is.EqualTo(OpenStatus.Verified), opened.Detail);
        var attachment = received.Attachments!.Single();
        Assert.That(attachment.FileName, Is.EqualTo("compte-rendu.pdf"));
        Assert.That(attachment.Content.AsSpan().SequenceEqual(_content), Is.True, "the attachment arrives intact");
        Assert.That(sink.Length, Is.EqualTo(_signed.Length), "a parsed message writes back its own bytes");

        // Loading keeps slices of the stream; verifying a detached signature needs the signed bytes in one array (the
        // canonical form, about the message once) and .NET's SignedCms keeps its own copy of them; reading decodes the
        // attachment once; writing what was read allocates no body-sized buffer.
        Assert.That(loading, Is.LessThan(64 * 1024), "loading must not copy bodies");
        Assert.That(opening, Is.LessThan((_signed.Length * 21L / 10) + Overhead));
        Assert.That(reading, Is.LessThan((ContentLength * 11L / 10) + Overhead));
        Assert.That(writing, Is.LessThan(Overhead));
    }

    [Test]
    public void OpeningAnEncryptedMessageAddsToNetsDecryptionOnlyTheEnvelopeAndTheSignedBytes()
    {
        var (message, loading) = Measure(() => MimeLoader.LoadMessage(new MemoryStream(_encrypted, writable: false)));
        var opener = SmimeFixtures.OpenerFor(TestPki.Julien);
        // .NET's decryption rents big buffers from the shared ArrayPool: one opening first, so that both measures below
        // see the steady state of a receiver (the pool warm), not whichever ran first.
        opener.Open(message);
        var (opened, opening) = Measure(() => opener.Open(message));
        var ((received, _), reading) = Measure(() => ReceivedMessageReader.Read(message, opened));

        // What .NET's EnvelopedCms alone allocates to decode and decrypt the same envelope, for comparison.
        var envelope = MimeBytes.Decoded((MimePart)message.Body!);
        var julien = SmimeFixtures.Certificate(TestPki.Julien);
        var (decrypted, decryption) = Measure(() =>
        {
            var cms = new EnvelopedCms();
            cms.Decode(envelope);
            cms.Decrypt(new X509Certificate2Collection(julien));
            return cms.ContentInfo.Content;
        });
        TestContext.Out.WriteLine($"message {_encrypted.Length:N0} bytes, envelope {envelope.Length:N0}, signed content {decrypted.Length:N0}; " +
                                  $"allocated: load {loading:N0}, open {opening:N0} (of which .NET's decryption about {decryption:N0}), read {reading:N0}");

        Assert.That(opened.Status, Is.EqualTo(OpenStatus.Verified), opened.Detail);
        Assert.That(received.Attachments!.Single().Content.AsSpan().SequenceEqual(_content), Is.True);
        Assert.That(loading, Is.LessThan(64 * 1024), "loading must not copy bodies");
        // Besides .NET's decryption: the envelope decoded from base64 once, then the signed bytes as for a signed message.
        Assert.That(opening - decryption, Is.LessThan(envelope.Length + (decrypted.Length * 21L / 10) + Overhead));
        Assert.That(reading, Is.LessThan((ContentLength * 11L / 10) + Overhead));
    }

    /// <summary>Counts and hashes what is written, keeping nothing.</summary>
    sealed class HashingStream : Stream
    {
        readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => Position;

        public override long Position { get; set; }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            _hash.AppendData(buffer);
            Position += buffer.Length;
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _hash.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
