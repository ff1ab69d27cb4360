using System.Text;
using MiSS.Mail.Mime;

namespace MiSS.Mail.Tests.Mime;

/// <summary>Helpers shared by the MIME tests.</summary>
internal static class MimeTestUtil
{
    /// <summary>UTF-8 bytes of <paramref name="text"/> with every line end made CRLF.</summary>
    public static byte[] Crlf(string text) => Encoding.UTF8.GetBytes(text.ReplaceLineEndings("\r\n"));

    /// <summary>UTF-8 bytes of <paramref name="text"/> with every line end made LF.</summary>
    public static byte[] Lf(string text) => Encoding.UTF8.GetBytes(text.ReplaceLineEndings("\n"));

    public static string Ascii(ReadOnlyMemory<byte>? bytes) => bytes is { } b ? Encoding.Latin1.GetString(b.Span) : "<null>";

    /// <summary>The shared corpora folder (../shared/corpora from the repository root), or an ignored test.</summary>
    public static string CorporaRoot()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "MiSS.sln")))
                continue;
            var corpora = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "corpora"));
            if (Directory.Exists(corpora))
                return corpora;
            break;
        }
        Assert.Ignore("The shared corpora were not found (expected ../shared/corpora next to the repository root holding MiSS.sln).");
        return "";
    }

    /// <summary>Every entity of the tree with its depth, parents first, without recursion; message/rfc822 bodies one level deeper.</summary>
    public static IEnumerable<(MimeEntity Entity, int Depth)> Walk(MimeEntity root)
    {
        var stack = new Stack<(MimeEntity, int)>();
        stack.Push((root, 0));
        while (stack.Count > 0)
        {
            var (entity, depth) = stack.Pop();
            yield return (entity, depth);
            if (entity is Multipart multipart)
            {
                for (var i = multipart.Parts.Count - 1; i >= 0; i--)
                    stack.Push((multipart.Parts[i], depth + 1));
            }
            else if (entity is MessagePart message)
            {
                stack.Push((message.Message.Body, depth + 1));
            }
        }
    }

    /// <summary>One line "Content-Type: type/subtype" per entity, three spaces of indent per level (the corpus summary format).</summary>
    public static string Outline(MimeEntity root)
    {
        var sb = new StringBuilder();
        foreach (var (entity, depth) in Walk(root))
            sb.Append(' ', depth * 3).Append("Content-Type: ").Append(entity.ContentType.MimeType).Append('\n');
        return sb.ToString();
    }
}
