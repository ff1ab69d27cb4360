using MimeKit;

namespace MiSS.Core.Tests;

/// <summary>Short ways to build MIME entities in tests, with MimeKit.</summary>
static class MimeTest
{
    /// <summary>A text/plain part (UTF-8) holding <paramref name="text"/>.</summary>
    public static TextPart Text(string text)
    {
        var part = new TextPart("plain");
        part.SetText(System.Text.Encoding.UTF8, text);
        return part;
    }

    /// <summary>An attachment part of <paramref name="mediaType"/>, base64, named <paramref name="fileName"/>.</summary>
    public static MimePart Attachment(string mediaType, byte[] content, string fileName) => new(ContentType.Parse(mediaType))
    {
        Content = new MimeContent(new MemoryStream(content)),
        ContentDisposition = new ContentDisposition(ContentDisposition.Attachment),
        ContentTransferEncoding = ContentEncoding.Base64,
        FileName = fileName,
    };

    /// <summary>A message with no header but the body's (MimeKit's defaults left out).</summary>
    public static MimeMessage Message(MimeEntity? body = null) => new((IEnumerable<Header>)[]) { Body = body };
}
