using System.Globalization;
using System.Runtime.InteropServices;

namespace MiSS.Core.Photos;

/// <summary>A photo ready to leave the device: upright, downscaled, re-encoded, without any metadata, and its thumbnail.</summary>
/// <param name="Bytes">The encoded photo (JPEG, or PNG for a PNG input that stays lossless).</param>
/// <param name="MediaType"><c>image/jpeg</c> or <c>image/png</c>.</param>
/// <param name="Width">Width in pixels of <paramref name="Bytes"/>, after orientation.</param>
/// <param name="Height">Height in pixels of <paramref name="Bytes"/>, after orientation.</param>
/// <param name="Thumbnail">A small JPEG for lists, long side ≤ <see cref="PhotoOptions.ThumbnailLongSide"/>, also stripped.</param>
/// <param name="ThumbnailMediaType">Always <c>image/jpeg</c>.</param>
public sealed record ProcessedPhoto(byte[] Bytes, string MediaType, int Width, int Height, byte[] Thumbnail, string ThumbnailMediaType);

/// <summary>
/// Prepares a practitioner's photo for sending: refuses what is not an accepted image or declares too many pixels
/// (before decoding anything), applies the EXIF orientation, converts ICC-tagged pixels to sRGB, removes every piece
/// of metadata, downscales (never enlarges), and re-encodes within a byte budget. Thread-safe, no temp files, no logging.
/// See README.md beside this file for the rules.
/// </summary>
public static class PhotoProcessor
{
    /// <summary>Media type of JPEG output.</summary>
    public const string JpegMediaType = "image/jpeg";

    /// <summary>Media type of PNG output.</summary>
    public const string PngMediaType = "image/png";

    const string AcceptedFormats = " (formats acceptés : JPEG, PNG, GIF, WebP, TIFF, HEIC)";
    const int PngCompression = 6;
    const double White = 255;

    static readonly CultureInfo French = CultureInfo.GetCultureInfo("fr-FR");

    /// <summary>Processes a photo held in a span (copied once into a managed array).</summary>
    /// <exception cref="PhotoException">The input is refused or cannot be processed; the message is French.</exception>
    public static ProcessedPhoto Process(ReadOnlySpan<byte> input, PhotoOptions? options = null) => Process(input.ToArray(), options);

    /// <summary>Processes a photo; the array is pinned and lent to libvips for the duration of the call, not copied.</summary>
    /// <exception cref="PhotoException">The input is refused or cannot be processed; the message is French.</exception>
    public static ProcessedPhoto Process(byte[] input, PhotoOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        options ??= PhotoOptions.Default;
        options.Validate();
        if (input.Length == 0)
        {
            throw new PhotoException(PhotoError.Empty, "le fichier est vide");
        }
        var format = PhotoFormats.Detect(input);
        if (format == PhotoFormat.Unknown)
        {
            throw new PhotoException(PhotoError.UnsupportedFormat, PhotoFormats.DescribeUnsupported(input) + AcceptedFormats);
        }
        Vips.EnsureStarted();
        if (format == PhotoFormat.Heif && !Vips.HeifAvailable)
        {
            throw new PhotoException(PhotoError.UnsupportedFormat, "format d'image non pris en charge sur ce poste : HEIC (module HEIF de libvips absent)");
        }
        // libvips reads the bytes in place, lazily: they must not move until every image derived from them is gone,
        // which Run guarantees by disposing all of them before it returns.
        var pin = GCHandle.Alloc(input, GCHandleType.Pinned);
        try
        {
            return Run(pin.AddrOfPinnedObject(), (nuint)input.Length, format, options);
        }
        finally
        {
            pin.Free();
        }
    }

    static ProcessedPhoto Run(IntPtr buffer, nuint length, PhotoFormat format, PhotoOptions options)
    {
        var name = FormatName(format);
        var unreadable = new Vips.OnFailure(PhotoError.Unreadable, $"image {name} illisible : en-tête invalide ou fichier incomplet");

        // 1. The loader libvips would use must be the one of the sniffed format (and is one of the unblocked ones).
        var loader = Vips.FindLoader(buffer, length);
        if (loader is null || !loader.StartsWith(Vips.LoaderClasses[format], StringComparison.Ordinal))
        {
            throw new PhotoException(PhotoError.Unreadable, unreadable.Message);
        }

        // 2. Header only: nothing is decoded yet, so a decompression bomb costs a few bytes of parsing.
        int width, height;
        bool hasIcc;
        using (var header = Vips.OpenHeader(buffer, length, unreadable))
        {
            width = Vips.Width(header);
            height = Vips.Height(header);
            hasIcc = Vips.HasField(header, Vips.IccProfileField);
        }
        if (width <= 0 || height <= 0)
        {
            throw new PhotoException(PhotoError.Unreadable, unreadable.Message);
        }
        var pixels = (long)width * height;
        if (pixels > options.MaxInputPixels)
        {
            throw new PhotoException(PhotoError.TooLarge,
                $"image trop grande : {Megapixels(pixels)} mégapixels, limite {Megapixels(options.MaxInputPixels)}");
        }

        // 3. Decode with shrink-on-load, upright, in sRGB; then materialise once so that every encode below reuses it.
        var box = options.KeepOriginalQuality ? Math.Max(width, height) : options.MaxLongSide;
        using var upright = Decode(buffer, length, box, hasIcc, name);

        // 4. Encode. JPEG cannot carry alpha: transparent areas become white (not libvips' default black).
        var encodeFailed = new Vips.OnFailure(PhotoError.EncodingFailed, "échec du réencodage de la photo");
        using var flattened = Vips.HasAlpha(upright) ? Vips.Flatten(upright, White, encodeFailed) : null;
        var opaque = flattened ?? upright;

        var (bytes, mediaType, outWidth, outHeight) = Encode(upright, opaque, format, options, encodeFailed);

        using var small = Vips.ThumbnailImage(opaque, options.ThumbnailLongSide, encodeFailed);
        var thumbnail = Vips.JpegSave(small, options.ThumbnailJpegQuality, encodeFailed);
        return new ProcessedPhoto(bytes, mediaType, outWidth, outHeight, thumbnail, JpegMediaType);
    }

    static VipsImage Decode(IntPtr buffer, nuint length, int box, bool hasIcc, string name)
    {
        var damaged = new Vips.OnFailure(PhotoError.Damaged, $"image {name} endommagée ou incomplète : impossible de la décoder");
        if (hasIcc)
        {
            try
            {
                return DecodeOnce(buffer, length, box, "srgb", damaged);
            }
            catch (PhotoException)
            {
                // A broken embedded profile must not block a clinical photo: decode again treating pixels as sRGB.
                // Truly damaged data fails the same way below.
            }
        }
        return DecodeOnce(buffer, length, box, null, damaged);
    }

    static VipsImage DecodeOnce(IntPtr buffer, nuint length, int box, string? exportProfile, Vips.OnFailure damaged)
    {
        using var lazy = Vips.ThumbnailBuffer(buffer, length, box, exportProfile, damaged);
        return Vips.CopyMemory(lazy, damaged);
    }

    static (byte[] Bytes, string MediaType, int Width, int Height) Encode(
        VipsImage upright, VipsImage opaque, PhotoFormat format, PhotoOptions options, Vips.OnFailure failed)
    {
        // PNG stays PNG (screenshots, scanned text: lossless matters) when it fits the budget, or when it is no larger
        // than the JPEG would be. Alpha is kept in that case.
        byte[]? png = null;
        if (format == PhotoFormat.Png)
        {
            png = Vips.PngSave(upright, PngCompression, failed);
            if (png.Length <= options.MaxBytes)
            {
                return (png, PngMediaType, Vips.Width(upright), Vips.Height(upright));
            }
        }
        var (jpeg, width, height) = options.KeepOriginalQuality
            ? (Vips.JpegSave(opaque, options.OriginalJpegQuality, failed), Vips.Width(opaque), Vips.Height(opaque))
            : EncodeJpegWithinBudget(opaque, options, failed);
        if (png is not null && png.Length <= jpeg.Length)
        {
            return (png, PngMediaType, Vips.Width(upright), Vips.Height(upright));
        }
        return (jpeg, JpegMediaType, width, height);
    }

    /// <summary>
    /// Quality first, then dimensions: at each size, JPEG quality goes down from <see cref="PhotoOptions.JpegQuality"/>
    /// by steps of 5 to <see cref="PhotoOptions.MinJpegQuality"/> (straight to the floor when the size is far over
    /// budget); if the floor is still too big, the long side shrinks by the estimated factor and the ladder restarts.
    /// </summary>
    static (byte[] Bytes, int Width, int Height) EncodeJpegWithinBudget(VipsImage source, PhotoOptions options, Vips.OnFailure failed)
    {
        VipsImage? resized = null;
        try
        {
            var current = source;
            while (true)
            {
                var quality = options.JpegQuality;
                byte[] bytes;
                while (true)
                {
                    bytes = Vips.JpegSave(current, quality, failed);
                    if (bytes.Length <= options.MaxBytes)
                    {
                        return (bytes, Vips.Width(current), Vips.Height(current));
                    }
                    if (quality == options.MinJpegQuality)
                    {
                        break;
                    }
                    // From 85 to 60 a JPEG loses roughly 40–50 %: far over budget, the intermediate steps are wasted.
                    quality = bytes.Length > options.MaxBytes * 1.8 ? options.MinJpegQuality : Math.Max(quality - 5, options.MinJpegQuality);
                }

                var longSide = Math.Max(Vips.Width(current), Vips.Height(current));
                if (longSide <= options.MinLongSide)
                {
                    throw new PhotoException(PhotoError.BudgetUnreachable,
                        $"impossible de réduire la photo sous {options.MaxBytes / 1000} ko sans la rendre illisible");
                }
                // Size grows about linearly with the pixel count: aim a little under the budget.
                var scale = Math.Clamp(Math.Sqrt((double)options.MaxBytes / bytes.Length) * 0.95, 0.5, 0.9);
                var next = Math.Max(options.MinLongSide, (int)(longSide * scale));
                using (var lazy = Vips.ThumbnailImage(source, next, failed))
                {
                    var smaller = Vips.CopyMemory(lazy, failed);
                    resized?.Dispose();
                    resized = smaller;
                }
                current = resized;
            }
        }
        finally
        {
            resized?.Dispose();
        }
    }

    static string FormatName(PhotoFormat format) => format switch
    {
        PhotoFormat.Jpeg => "JPEG",
        PhotoFormat.Png => "PNG",
        PhotoFormat.Gif => "GIF",
        PhotoFormat.WebP => "WebP",
        PhotoFormat.Tiff => "TIFF",
        PhotoFormat.Heif => "HEIC/HEIF",
        _ => "inconnue",
    };

    static string Megapixels(long pixels) => (pixels / 1_000_000.0).ToString("0.#", French);
}
