using System.Text;
using MiSS.Mail;
using MiSS.Mail.Net;
using MiSS.Mail.Smtp;
using MiSS.Mail.Tls;

namespace MiSS.Mail.Tests.Smtp;

/// <summary>The SMTP reply reader and the DATA encoder, fed from byte arrays.</summary>
[TestFixture]
public sealed class SmtpReplyReaderTests
{
    private static MailStreamReader ReaderOf(string text) =>
        new(new MemoryStream(Encoding.UTF8.GetBytes(text)), bufferSize: 16);

    [Test]
    public async Task Reads_a_multi_line_EHLO_reply()
    {
        var reader = ReaderOf("250-mail.test\r\n250-SIZE 10240000\r\n250-AUTH PLAIN LOGIN\r\n250 DSN\r\n");

        var reply = await SmtpReplyReader.ReadAsync(reader, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(reply.Code, Is.EqualTo(250));
            Assert.That(reply.Lines, Is.EqualTo(new[] { "mail.test", "SIZE 10240000", "AUTH PLAIN LOGIN", "DSN" }));
            Assert.That(reply.EnhancedCode, Is.Null);
        });
    }

    [Test]
    public async Task Reads_consecutive_replies_one_at_a_time()
    {
        var reader = ReaderOf("250 2.1.0 Ok\r\n550-5.1.1 first\r\n550 5.1.1 second\r\n354 go\r\n");

        var first = await SmtpReplyReader.ReadAsync(reader, CancellationToken.None);
        var second = await SmtpReplyReader.ReadAsync(reader, CancellationToken.None);
        var third = await SmtpReplyReader.ReadAsync(reader, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(first.EnhancedCode, Is.EqualTo("2.1.0"));
            Assert.That(first.Text, Is.EqualTo("Ok"));
            Assert.That(second.Code, Is.EqualTo(550));
            Assert.That(second.EnhancedCode, Is.EqualTo("5.1.1"));
            Assert.That(second.Text, Is.EqualTo("first second"));
            Assert.That(third.Code, Is.EqualTo(354));
            Assert.That(third.EnhancedCode, Is.Null);
        });
    }

    [TestCase("250 2.0.0 Ok", "2.0.0")]
    [TestCase("550 5.7.1 Relay denied", "5.7.1")]
    [TestCase("452 4.3.1 Insufficient storage", "4.3.1")]
    [TestCase("250 5.0.0 class does not match", null)]
    [TestCase("250 Ok 2.0.0", null)]
    [TestCase("250 2.0", null)]
    [TestCase("550 5.1.1000 too long", null)]
    public async Task Recognises_enhanced_status_codes_only_when_well_formed(string line, string? expected)
    {
        var reply = await SmtpReplyReader.ReadAsync(ReaderOf(line + "\r\n"), CancellationToken.None);

        Assert.That(reply.EnhancedCode, Is.EqualTo(expected));
    }

    [Test]
    public async Task Accepts_a_bare_code_and_a_bare_LF()
    {
        var reply = await SmtpReplyReader.ReadAsync(ReaderOf("250\n"), CancellationToken.None);

        Assert.That(reply.Code, Is.EqualTo(250));
        Assert.That(reply.Text, Is.Empty);
    }

    [TestCase("hello\r\n")]
    [TestCase("25\r\n")]
    [TestCase("250x\r\n")]
    [TestCase("650 nope\r\n")]
    [TestCase("250-a\r\n251 b\r\n")]
    public async Task Rejects_malformed_replies(string text)
    {
        await Assert.ThrowsAsync<MailProtocolException>(async () => await SmtpReplyReader.ReadAsync(ReaderOf(text), CancellationToken.None));
    }

    [Test]
    public async Task Reports_the_end_of_the_stream_inside_a_reply()
    {
        await Assert.ThrowsAsync<EndOfStreamException>(
            async () => await SmtpReplyReader.ReadAsync(ReaderOf("250-first\r\n250-sec"), CancellationToken.None));
    }

    [TestCase("", ".\r\n")]
    [TestCase("a", "a\r\n.\r\n")]
    [TestCase(".", "..\r\n.\r\n")]
    [TestCase("a\n.\nb", "a\r\n..\r\nb\r\n.\r\n")]
    [TestCase("a\r\n.b\r\n", "a\r\n..b\r\n.\r\n")]
    [TestCase("a\rb", "a\r\nb\r\n.\r\n")]
    [TestCase("x.y\n", "x.y\r\n.\r\n")]
    [TestCase("\n\n", "\r\n\r\n.\r\n")]
    public void Encodes_data_with_dot_stuffing_and_CRLF(string message, string expected)
    {
        var encoded = SmtpDataEncoder.Encode(Encoding.ASCII.GetBytes(message));
        var measurement = SmtpDataEncoder.Measure(Encoding.ASCII.GetBytes(message));
        var unstuffed = ("\r\n" + expected[..^3]).Replace("\r\n..", "\r\n.", StringComparison.Ordinal)[2..];

        Assert.Multiple(() =>
        {
            Assert.That(Encoding.ASCII.GetString(encoded), Is.EqualTo(expected));
            Assert.That(measurement.EncodedSize, Is.EqualTo(encoded.Length));
            Assert.That(measurement.NormalizedSize, Is.EqualTo(unstuffed.Length));
        });
    }

    [Test]
    public void Detects_eight_bit_data()
    {
        Assert.Multiple(() =>
        {
            Assert.That(SmtpDataEncoder.Measure("plain"u8).HasEightBit, Is.False);
            Assert.That(SmtpDataEncoder.Measure(Encoding.UTF8.GetBytes("Grüße")).HasEightBit, Is.True);
        });
    }
}
