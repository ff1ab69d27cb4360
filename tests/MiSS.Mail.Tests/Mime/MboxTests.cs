using System.Text;
using MiSS.Mail.Mime;

namespace MiSS.Mail.Tests.Mime;

/// <summary>The mbox corpus against the reference outline (see /work/shared/corpora/README.md, "The summary format").</summary>
public class MboxTests
{
    [Test]
    public void SplitsOnFromLinesAndHonoursPlausibleContentLength()
    {
        var mbox = Encoding.ASCII.GetBytes(
            "From a\nSubject: 1\n\nbody\n>From quoted\n\nFrom b\nContent-Length: 16\n\nx\nFrom unquoted\n\nFrom c\nContent-Length: 999\n\ny\nFrom d\n\nz");
        var messages = MboxReader.Split(mbox);
        Assert.That(messages.Select(m => m.Separator), Is.EqualTo(new[] { "From a", "From b", "From c", "From d" }));
        Assert.That(messages.Select(m => Encoding.ASCII.GetString(m.Data.Span)), Is.EqualTo(new[]
        {
            "Subject: 1\n\nbody\n>From quoted\n",
            "Content-Length: 16\n\nx\nFrom unquoted\n",
            "Content-Length: 999\n\ny\n", // implausible length: ignored
            "\nz",
        }));
    }

    [Test]
    public void UnmungedFromLinesSeparateMessagesAsInMboxo()
    {
        var path = Path.Combine(MimeTestUtil.CorporaRoot(), "mimekit", "mbox", "unmunged.mbox.txt");
        var messages = MboxReader.Split(File.ReadAllBytes(path)); // starts with a byte order mark
        Assert.That(messages.Select(m => m.Separator.TrimEnd()), Is.EqualTo(new[] { "From -", "From Russia with love", "From -", "From Russia with love" }));
        Assert.That(MimeReader.ReadMessage(messages[2].Data).Subject, Is.EqualTo("Another test message with an unmunged From line"));
    }

    [Test]
    public void SimpleMboxNestedMultipartsWithSameOrEmptyBoundaries()
    {
        var path = Path.Combine(MimeTestUtil.CorporaRoot(), "mimekit", "mbox", "simple.mbox.txt");
        var messages = MboxReader.Split(File.ReadAllBytes(path));
        Assert.That(messages, Has.Count.EqualTo(3));
        foreach (var entry in messages)
        {
            var message = MimeReader.ReadMessage(entry.Data);
            Assert.That(MimeTestUtil.Outline(message.Body), Is.EqualTo(
                "Content-Type: multipart/mixed\n   Content-Type: multipart/mixed\n      Content-Type: multipart/mixed\n         Content-Type: text/plain\n"), message.Subject);
            var written = MimeWriter.ToBytes(message);
            Assert.That(MimeTestUtil.Outline(MimeReader.ReadMessage(written).Body), Is.EqualTo(MimeTestUtil.Outline(message.Body)), message.Subject);
        }
    }

    // Where this reader is deliberately different from the reference, with the reason.
    private static readonly Dictionary<string, string> KnownDeviations = new()
    {
        // "Date: ... 12:24:23 cst": zone names are case-insensitive (RFC 5322 §4.3), so cst is -0600; the reference ignores it.
        ["Date: Tue, 28 May 1996 12:24:23 +0000"] = "Date: Tue, 28 May 1996 12:24:23 -0600",
    };

    [Test]
    public void ContentLengthMboxMatchesTheReferenceSummary()
    {
        var dir = Path.Combine(MimeTestUtil.CorporaRoot(), "mimekit", "mbox");
        var expected = string.Join('\n', File.ReadAllText(Path.Combine(dir, "content-length-summary.txt")).ReplaceLineEndings("\n").Split('\n')
            .Select(line => line.TrimStart().StartsWith("Content-Type: ", StringComparison.Ordinal) ? line.Replace(line.TrimStart()[14..], line.TrimStart()[14..].ToLowerInvariant(), StringComparison.Ordinal) : line) // MimeType is lowercase by contract
            .Select(line => KnownDeviations.GetValueOrDefault(line, line)));
        var actual = new StringBuilder();
        foreach (var entry in MboxReader.Split(File.ReadAllBytes(Path.Combine(dir, "content-length.mbox.txt"))))
        {
            var message = MimeReader.ReadMessage(entry.Data);
            actual.Append(entry.Separator).Append('\n');
            AppendAddresses(actual, "From", message);
            AppendAddresses(actual, "To", message);
            if (message.Subject is { } subject)
                actual.Append("Subject: ").Append(subject).Append('\n');
            if (message.Date is { } date)
                actual.Append("Date: ").Append(MailDate.Format(date)).Append('\n');
            actual.Append(MimeTestUtil.Outline(message.Body)).Append('\n');
        }
        Assert.That(actual.ToString(), Is.EqualTo(expected));
    }

    // The reference quotes every display name and shows groups as "name: members;".
    private static void AppendAddresses(StringBuilder sb, string field, MimeMessage message)
    {
        var raw = message.Headers[field];
        if (raw is null)
            return;
        var text = string.Join(", ", AddressParser.ParseList(raw).Select(a => a.DisplayName is null ? a.Address : $"{MimeSyntax.Quote(a.DisplayName)} <{a.Address}>"));
        var colon = raw.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0 && raw[..colon].IndexOfAny(['<', '"', '@']) < 0)
            text = $"{raw[..colon].Trim()}: {text};";
        else if (text.Length == 0)
            return;
        sb.Append(field).Append(": ").Append(text).Append('\n');
    }
}
