using System.Text;

namespace MiSS.Mail.Mime;

/// <summary>Parses RFC 5322 address lists tolerantly (obsolete forms, groups, comments, missing brackets).</summary>
public static class AddressParser
{
    private enum Kind
    {
        Word,
        Quoted,
        Literal,
        Special,
        Comment,
    }

    private readonly record struct Token(Kind Kind, string Text, bool SpaceBefore)
    {
        public bool IsSpecial(char c) => Kind == Kind.Special && Text[0] == c;

        public bool IsWordLike => Kind is Kind.Word or Kind.Quoted;
    }

    /// <summary>
    /// All mailboxes of the list, in order. Group members are flattened, group names dropped; a name in a trailing
    /// comment ("addr (Name)") is used as display name; entries without a usable address are skipped. Never throws.
    /// </summary>
    public static IReadOnlyList<MailboxAddress> ParseList(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var result = new List<MailboxAddress>();
        var segment = new List<Token>();
        var inAngle = false;
        foreach (var token in Tokenize(value))
        {
            if (token.IsSpecial('<'))
                inAngle = true;
            else if (token.IsSpecial('>'))
                inAngle = false;
            if (!inAngle && (token.IsSpecial(',') || token.IsSpecial(';')))
            {
                Emit(segment, result);
                segment.Clear();
                continue;
            }
            if (!inAngle && token.IsSpecial(':') && !segment.Exists(t => t.IsSpecial('@')))
            {
                segment.Clear(); // group name
                continue;
            }
            segment.Add(token);
        }
        Emit(segment, result);
        return result;
    }

    private static void Emit(List<Token> seg, List<MailboxAddress> result)
    {
        var comment = seg.FindLast(t => t.Kind == Kind.Comment).Text;
        var tokens = seg.FindAll(t => t.Kind != Kind.Comment);
        if (tokens.Count == 0)
            return;
        string? name;
        string address;
        var angle = tokens.FindIndex(t => t.IsSpecial('<'));
        if (angle >= 0)
        {
            var close = tokens.FindIndex(angle, t => t.IsSpecial('>'));
            var inner = tokens.GetRange(angle + 1, (close < 0 ? tokens.Count : close) - angle - 1);
            // Obsolete route "@a,@b:" before the address.
            var route = inner.FindLastIndex(t => t.IsSpecial(':'));
            address = JoinAddress(inner.Skip(route + 1));
            name = Phrase(tokens.Take(angle));
        }
        else
        {
            var at = tokens.FindIndex(t => t.IsSpecial('@'));
            var localStart = at < 0 ? tokens.Count : at;
            // The local part is the tightly written run before '@'; earlier words are a display name ("John john@x").
            if (at > 0 && tokens[at - 1].IsWordLike)
            {
                localStart = at - 1;
                while (localStart > 0 && IsAddressPart(tokens[localStart - 1])
                       && (!tokens[localStart].SpaceBefore || tokens[localStart].IsSpecial('.') || tokens[localStart - 1].IsSpecial('.')))
                    localStart--;
            }
            else if (at < 0)
            {
                localStart = 0;
            }
            address = JoinAddress(tokens.Skip(localStart));
            name = Phrase(tokens.Take(localStart));
        }
        if (name is null && comment is not null)
            name = Phrase([new Token(Kind.Word, comment, false)]);
        if (MailboxAddress.IsValidAddress(address))
            result.Add(new MailboxAddress(name, address));
    }

    private static bool IsAddressPart(Token t) => t.IsWordLike || t.IsSpecial('.');

    // Stops at a second '@' ("a@b@c" reads as "a@b", as other readers do).
    private static string JoinAddress(IEnumerable<Token> tokens)
    {
        var sb = new StringBuilder();
        var at = false;
        foreach (var t in tokens)
        {
            if (t.IsSpecial('@') && at)
                break;
            at |= t.IsSpecial('@');
            if (t.Kind == Kind.Quoted)
                sb.Append(MimeSyntax.Quote(t.Text));
            else if (t.Kind is Kind.Word or Kind.Literal || t.IsSpecial('.') || t.IsSpecial('@'))
                sb.Append(t.Text);
        }
        return sb.ToString();
    }

    private static string? Phrase(IEnumerable<Token> tokens)
    {
        var sb = new StringBuilder();
        foreach (var t in tokens)
        {
            if (t.Kind == Kind.Special && t.Text[0] is '<' or '>')
                continue;
            if (sb.Length > 0 && t.SpaceBefore)
                sb.Append(' ');
            sb.Append(t.Text);
        }
        if (sb.Length == 0)
            return null;
        var text = EncodedWords.Decode(sb.ToString());
        return text.Length == 0 ? null : text;
    }

    private static List<Token> Tokenize(string s)
    {
        var tokens = new List<Token>();
        var pos = 0;
        while (pos < s.Length)
        {
            var start = pos;
            while (pos < s.Length && char.IsWhiteSpace(s[pos]))
                pos++;
            if (pos >= s.Length)
                break;
            var space = pos > start;
            var c = s[pos];
            if (c == '(')
            {
                var text = new StringBuilder();
                pos = Lexer.SkipComment(s, pos, text);
                tokens.Add(new Token(Kind.Comment, text.ToString().Trim(), space));
            }
            else if (c == '"')
            {
                tokens.Add(new Token(Kind.Quoted, Lexer.ReadQuoted(s, ref pos), space));
            }
            else if (c == '[')
            {
                var end = s.IndexOf(']', pos);
                end = end < 0 ? s.Length : end + 1;
                tokens.Add(new Token(Kind.Literal, s[pos..end], space));
                pos = end;
            }
            else if (MimeSyntax.Specials.Contains(c, StringComparison.Ordinal))
            {
                tokens.Add(new Token(Kind.Special, c.ToString(), space));
                pos++;
            }
            else
            {
                var end = EncodedWordEnd(s, pos);
                if (end < 0)
                {
                    end = pos;
                    while (end < s.Length && !char.IsWhiteSpace(s[end]) && !MimeSyntax.Specials.Contains(s[end], StringComparison.Ordinal))
                        end++;
                }
                tokens.Add(new Token(Kind.Word, s[pos..end], space));
                pos = end;
            }
        }
        return tokens;
    }

    // An encoded word is one atom even when its text contains specials such as '.' or ','.
    private static int EncodedWordEnd(string s, int pos)
    {
        if (pos + 1 >= s.Length || s[pos] != '=' || s[pos + 1] != '?')
            return -1;
        var questionMarks = 0;
        for (var i = pos + 2; i < s.Length && i < pos + 300; i++)
        {
            var c = s[i];
            if (char.IsWhiteSpace(c))
                return -1;
            if (c != '?')
                continue;
            questionMarks++;
            if (questionMarks >= 3 && i + 1 < s.Length && s[i + 1] == '=')
                return i + 2;
        }
        return -1;
    }
}
