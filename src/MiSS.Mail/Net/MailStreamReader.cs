using System.Buffers;
using MiSS.Mail;
using MiSS.Mail.Tls;

namespace MiSS.Mail.Net;

/// <summary>
/// Buffered reader of protocol lines and exact byte counts over a <see cref="Stream"/>. Lines end with LF; a CR
/// before it is removed. The end of the stream is reported as <see cref="EndOfStreamException"/>, which the
/// connection turns into a <see cref="MailConnectionException"/> that says what was being read.
/// </summary>
internal sealed class MailStreamReader
{
    private readonly byte[] _buffer;
    private readonly Action? _progress;
    private Stream _stream;
    private int _start;
    private int _end;

    /// <summary>Creates a reader; <paramref name="progress"/> is called after every successful read from the stream.</summary>
    public MailStreamReader(Stream stream, int bufferSize = 16 * 1024, Action? progress = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferSize, 16);
        _stream = stream;
        _buffer = new byte[bufferSize];
        _progress = progress;
    }

    /// <summary>Number of bytes received from the stream but not consumed yet.</summary>
    public int BufferedCount => _end - _start;

    /// <summary>Reads from another stream from now on (after a TLS upgrade). The buffer must have been discarded.</summary>
    public void ReplaceStream(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (BufferedCount != 0)
        {
            throw new InvalidOperationException("buffered plaintext must be discarded before the stream is replaced");
        }

        _stream = stream;
    }

    /// <summary>Drops everything buffered (STARTTLS injection defence) and returns how many bytes were dropped.</summary>
    public int DiscardBuffered()
    {
        var dropped = BufferedCount;
        _start = _end = 0;
        return dropped;
    }

    /// <summary>Reads one line without its CRLF (or bare LF); throws <see cref="MailProtocolException"/> beyond <paramref name="maxLength"/>.</summary>
    public async ValueTask<byte[]> ReadLineAsync(int maxLength, CancellationToken ct)
    {
        ArrayBufferWriter<byte>? accumulated = null;
        while (true)
        {
            var available = _buffer.AsSpan(_start, _end - _start);
            var lf = available.IndexOf((byte)'\n');
            if (lf >= 0)
            {
                byte[] line;
                if (accumulated is null)
                {
                    line = TrimCarriageReturn(available[..lf]).ToArray();
                }
                else
                {
                    accumulated.Write(available[..lf]);
                    line = TrimCarriageReturn(accumulated.WrittenSpan).ToArray();
                }

                _start += lf + 1;
                if (line.Length > maxLength)
                {
                    throw new MailProtocolException($"the server sent a line longer than {maxLength} bytes");
                }

                return line;
            }

            accumulated ??= new ArrayBufferWriter<byte>(Math.Max(256, available.Length * 2));
            accumulated.Write(available);
            _start = _end = 0;
            if (accumulated.WrittenCount > maxLength + 1)
            {
                throw new MailProtocolException($"the server sent a line longer than {maxLength} bytes");
            }

            await FillAsync(ct);
        }
    }

    /// <summary>Reads exactly <paramref name="destination"/>.Length bytes (binary-safe; large reads bypass the buffer).</summary>
    public async ValueTask ReadExactlyAsync(Memory<byte> destination, CancellationToken ct)
    {
        var fromBuffer = Math.Min(destination.Length, BufferedCount);
        _buffer.AsMemory(_start, fromBuffer).CopyTo(destination);
        _start += fromBuffer;
        var filled = fromBuffer;
        while (filled < destination.Length)
        {
            var read = await _stream.ReadAsync(destination[filled..], ct);
            if (read == 0)
            {
                throw new EndOfStreamException();
            }

            filled += read;
            _progress?.Invoke();
        }
    }

    private async ValueTask FillAsync(CancellationToken ct)
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_end == _buffer.Length)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        var read = await _stream.ReadAsync(_buffer.AsMemory(_end), ct);
        if (read == 0)
        {
            throw new EndOfStreamException();
        }

        _end += read;
        _progress?.Invoke();
    }

    private static ReadOnlySpan<byte> TrimCarriageReturn(ReadOnlySpan<byte> line) =>
        line.Length > 0 && line[^1] == (byte)'\r' ? line[..^1] : line;
}
