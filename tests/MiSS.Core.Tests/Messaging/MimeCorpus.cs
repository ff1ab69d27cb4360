using System.Text;
using MimeKit;

namespace MiSS.Core.Tests.Messaging;

/// <summary>The shared corpus of real-world messages (../shared/corpora/mimekit) and small helpers over MIME trees.</summary>
static class MimeCorpus
{
    /// <summary>The corpus folder of single messages, or an ignored test when the shared corpora are absent.</summary>
    public static string MessagesDir()
    {
        var dir = Path.GetFullPath(Path.Combine(TestPki.RepositoryRoot, "..", "shared", "corpora", "mimekit", "messages"));
        if (!Directory.Exists(dir))
        {
            Assert.Ignore($"The shared corpora were not found ({dir}).");
        }
        return dir;
    }

    /// <summary>The bytes of one corpus message.</summary>
    public static byte[] Bytes(string file) => File.ReadAllBytes(Path.Combine(MessagesDir(), file));

    /// <summary>UTF-8 bytes of <paramref name="text"/> with every line end made CRLF.</summary>
    public static byte[] Crlf(string text) => Encoding.UTF8.GetBytes(text.ReplaceLineEndings("\r\n"));

    /// <summary>Every entity of the tree with its depth, parents first, without recursion; message/rfc822 bodies one level deeper.</summary>
    public static IEnumerable<(MimeEntity Entity, int Depth)> Walk(MimeEntity? root)
    {
        var stack = new Stack<(MimeEntity, int)>();
        if (root is not null)
        {
            stack.Push((root, 0));
        }
        while (stack.Count > 0)
        {
            var (entity, depth) = stack.Pop();
            yield return (entity, depth);
            if (entity is Multipart multipart)
            {
                for (var i = multipart.Count - 1; i >= 0; i--)
                {
                    stack.Push((multipart[i], depth + 1));
                }
            }
            else if (entity is MessagePart { Message.Body: { } body })
            {
                stack.Push((body, depth + 1));
            }
        }
    }

    /// <summary>Touches what the product reads of a message: headers, addresses, every part's type, name and text.</summary>
    public static int Touch(MimeMessage message)
    {
        _ = (message.Subject, message.From.Mailboxes.ToList(), message.To.Mailboxes.ToList(), message.Date, message.MessageId, message.References.ToList());
        var parts = 0;
        foreach (var (entity, _) in Walk(message.Body))
        {
            parts++;
            _ = (entity.ContentType.MimeType, entity.ContentDisposition?.FileName);
            if (entity is TextPart text)
            {
                _ = text.Text;
            }
            else if (entity is MimePart part)
            {
                part.Content?.DecodeTo(Stream.Null);
            }
        }
        return parts;
    }
}
