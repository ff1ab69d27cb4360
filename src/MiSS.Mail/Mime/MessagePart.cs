namespace MiSS.Mail.Mime;

/// <summary>An encapsulated message: message/rfc822 or message/global (RFC 2046 §5.2.1, RFC 6532).</summary>
public sealed class MessagePart : MimeEntity
{
    /// <summary>Creates a message/rfc822 part around <paramref name="message"/>.</summary>
    public MessagePart(MimeMessage message)
        : base(new HeaderList())
    {
        Message = message ?? throw new ArgumentNullException(nameof(message));
        ContentType = new ContentType("message", "rfc822");
    }

    internal MessagePart(HeaderList headers)
        : base(headers)
    {
        Message = new MimeMessage();
    }

    /// <summary>The encapsulated message.</summary>
    public MimeMessage Message { get; set; }
}
