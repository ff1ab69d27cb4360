using System.Security.Cryptography;
using MiSS.Mail.Mime;

namespace MiSS.Mail.Tests.Mime;

/// <summary>
/// Allocations for a 25 MiB attachment on the writing side and for read → decode → write (the reading side alone is
/// covered by <see cref="RobustnessTests.LargeMessageAllocatesLittleMoreThanTheDecodedContent"/>). Bytes are counted
/// with <see cref="GC.GetAllocatedBytesForCurrentThread"/>: every step runs synchronously on the test thread.
/// </summary>
[NonParallelizable]
public class LargeMessageMemoryTests
{
    private const int ContentLength = 25 << 20;

    // The writer's own allocations do not grow with the body: header strings, delimiters, one small pooled encoding
    // buffer. 1 MiB leaves a wide margin over what it needs (a few KiB) while failing at once if a body were ever
    // encoded into one array again (that alone is 1.35 × the content, 34 MiB here).
    private const long WriterOverhead = 1 << 20;

    private byte[] _content = [];
    private byte[] _encoded = [];
    private byte[] _encodedHash = [];

    [OneTimeSetUp]
    public void BuildTheMessage()
    {
        _content = new byte[ContentLength];
        new Random(25).NextBytes(_content);
        _encoded = MimeWriter.ToBytes(Message(_content));
        _encodedHash = SHA256.HashData(_encoded);
    }

    // A fixed boundary: every build of the message must give the same bytes.
    private static MimeMessage Message(byte[] content) => new(new Multipart
    {
        Boundary = "=_large-message-test",
        Parts =
        {
            MimePart.CreateText("Bonjour, le compte rendu est en pièce jointe."),
            MimePart.CreateAttachment("application/pdf", content, "compte-rendu.pdf"),
        },
    })
    {
        Subject = "Compte rendu",
        From = [new MailboxAddress("Dr A", "a@example.org")],
        To = [new MailboxAddress("b@example.org")],
    };

    [Test]
    public void TheMessageIsAbout25MiBOfBase64()
    {
        // 4/3 for base64, plus CRLF every 76 characters: 1.3684 × the content.
        Assert.That(_encoded.Length, Is.InRange(ContentLength * 4L / 3, ContentLength * 14L / 10));
    }

    [Test]
    public void WritingToAStreamAllocatesNothingProportionalToTheBody()
    {
        var message = Message(_content);
        var sink = new HashingStream();
        var before = GC.GetAllocatedBytesForCurrentThread();
        MimeWriter.Write(message, sink);
        var writing = GC.GetAllocatedBytesForCurrentThread() - before;
        TestContext.Out.WriteLine($"write to stream: {writing:N0} bytes allocated for {sink.Length:N0} bytes written");

        Assert.That(sink.Length, Is.EqualTo(_encoded.Length));
        Assert.That(sink.Hash(), Is.EqualTo(_encodedHash), "same bytes as ToBytes");
        Assert.That(writing, Is.LessThan(WriterOverhead));
        Assert.That(writing, Is.LessThan(3L * _encoded.Length), "the bound of the brief, for the record");
    }

    [Test]
    public void ToBytesAllocatesAboutTheOutputOnce()
    {
        var message = Message(_content);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var bytes = MimeWriter.ToBytes(message);
        var elapsed = watch.Elapsed;
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        TestContext.Out.WriteLine($"ToBytes: {allocated:N0} bytes allocated for {bytes.Length:N0} bytes of output in {elapsed.TotalMilliseconds:N0} ms");

        Assert.That(bytes.AsSpan().SequenceEqual(_encoded), Is.True);
        // The result array itself, plus the writer's small overhead: no doubling buffers, no final copy.
        Assert.That(allocated, Is.LessThan(bytes.Length + (2 * WriterOverhead)));
    }

    [Test]
    public void ReadDecodeAndWriteAgainAllocateAboutTheDecodedContentOnce()
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var message = MimeReader.ReadMessage(_encoded);
        var afterRead = GC.GetAllocatedBytesForCurrentThread();
        var attachment = (MimePart)((Multipart)message.Body).Parts[1];
        var decoded = attachment.Content;
        var afterDecode = GC.GetAllocatedBytesForCurrentThread();
        var sink = new HashingStream();
        MimeWriter.Write(message, sink);
        var afterWrite = GC.GetAllocatedBytesForCurrentThread();
        var (reading, decoding, writing) = (afterRead - before, afterDecode - afterRead, afterWrite - afterDecode);
        TestContext.Out.WriteLine($"read: {reading:N0}, decode: {decoding:N0}, write: {writing:N0} bytes allocated (message {_encoded.Length:N0} bytes)");

        Assert.That(decoded.Span.SequenceEqual(_content), Is.True, "decoded attachment equals the original bytes");
        Assert.That(attachment.FileName, Is.EqualTo("compte-rendu.pdf"));
        Assert.That(sink.Hash(), Is.EqualTo(_encodedHash), "writing what was read gives the same bytes");

        // Reading keeps slices of the input; decoding allocates the content once (the buffer is sized from the
        // encoded length: 3/4 of it, about 1.03 × the content); writing allocates no body-sized buffer.
        Assert.That(reading, Is.LessThan(64 * 1024));
        Assert.That(decoding, Is.LessThan(ContentLength * 11L / 10));
        Assert.That(writing, Is.LessThan(WriterOverhead));
        // Everything together stays under the size of the message itself, far below 3 × the encoded size.
        Assert.That(reading + decoding + writing, Is.LessThan((long)_encoded.Length));
    }

    // The writer streams base64 through a buffer of 512 lines (29,184 content bytes): check the seams against Encode.
    [TestCase(0)]
    [TestCase(1)]
    [TestCase(57)]
    [TestCase(58)]
    [TestCase((512 * 57) - 1)]
    [TestCase(512 * 57)]
    [TestCase((512 * 57) + 1)]
    [TestCase((3 * 512 * 57) + 100)]
    public void StreamedBase64EqualsTheOneShotEncoding(int length)
    {
        var data = new byte[length];
        new Random(length).NextBytes(data);
        using var stream = new MemoryStream();
        Base64Codec.EncodeTo(data, stream);
        Assert.That(stream.ToArray(), Is.EqualTo(Base64Codec.Encode(data)));
    }

    /// <summary>Counts and hashes what is written, keeping nothing: a Stream.Null that can testify.</summary>
    private sealed class HashingStream : Stream
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => Position;

        public override long Position { get; set; }

        public byte[] Hash() => _hash.GetHashAndReset();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            _hash.AppendData(buffer);
            Position += buffer.Length;
        }

        public override void WriteByte(byte value) => Write([value]);

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                _hash.Dispose();
            base.Dispose(disposing);
        }
    }
}
