namespace MiSS.Core.Photos;

/// <summary>Input formats recognised by their first bytes.</summary>
public enum PhotoFormat
{
    /// <summary>Not an accepted image format.</summary>
    Unknown,

    /// <summary>JPEG (FF D8 FF).</summary>
    Jpeg,

    /// <summary>PNG (89 'PNG' CR LF 1A LF).</summary>
    Png,

    /// <summary>GIF87a / GIF89a (first frame only).</summary>
    Gif,

    /// <summary>WebP ('RIFF' size 'WEBP').</summary>
    WebP,

    /// <summary>TIFF and BigTIFF, either byte order (first page only).</summary>
    Tiff,

    /// <summary>HEIF family in an ISO-BMFF 'ftyp' box: HEIC (iPhone) and AVIF.</summary>
    Heif,
}

/// <summary>Recognises input formats by magic bytes, and names common non-images for a precise refusal.</summary>
public static class PhotoFormats
{
    static readonly string[] HeifBrands = ["heic", "heix", "heim", "heis", "hevc", "hevx", "hevm", "hevs", "mif1", "msf1", "avif", "avis"];

    /// <summary>The accepted format these bytes start with, or <see cref="PhotoFormat.Unknown"/>.</summary>
    public static PhotoFormat Detect(ReadOnlySpan<byte> data)
    {
        if (data.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            return PhotoFormat.Jpeg;
        }
        if (data.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return PhotoFormat.Png;
        }
        if (data.StartsWith("GIF87a"u8) || data.StartsWith("GIF89a"u8))
        {
            return PhotoFormat.Gif;
        }
        if (data.Length >= 12 && data.StartsWith("RIFF"u8) && data[8..12].SequenceEqual("WEBP"u8))
        {
            return PhotoFormat.WebP;
        }
        if (data.StartsWith("II*\0"u8) || data.StartsWith("MM\0*"u8) || data.StartsWith("II+\0"u8) || data.StartsWith("MM\0+"u8))
        {
            return PhotoFormat.Tiff;
        }
        if (data.Length >= 12 && data[4..8].SequenceEqual("ftyp"u8))
        {
            var brand = System.Text.Encoding.ASCII.GetString(data[8..12]);
            if (HeifBrands.Contains(brand))
            {
                return PhotoFormat.Heif;
            }
        }
        return PhotoFormat.Unknown;
    }

    /// <summary>A French description of what a refused input looks like, for the error shown to the user.</summary>
    internal static string DescribeUnsupported(ReadOnlySpan<byte> data)
    {
        if (data.StartsWith("MZ"u8) || data.StartsWith("\u007FELF"u8)
            || data.StartsWith((ReadOnlySpan<byte>)[0xCF, 0xFA, 0xED, 0xFE]) || data.StartsWith((ReadOnlySpan<byte>)[0xCE, 0xFA, 0xED, 0xFE])
            || data.StartsWith((ReadOnlySpan<byte>)[0xCA, 0xFE, 0xBA, 0xBE]) || data.StartsWith("#!"u8))
        {
            return "ce fichier est un programme, pas une image";
        }
        if (data.StartsWith("%PDF"u8))
        {
            return "ce fichier est un document PDF, pas une image (joignez-le comme document)";
        }
        if (data.StartsWith("PK\u0003\u0004"u8))
        {
            return "ce fichier est une archive ou un document bureautique, pas une image";
        }
        if (data.Length >= 132 && data[128..132].SequenceEqual("DICM"u8))
        {
            return "les fichiers DICOM ne sont pas pris en charge : exportez l'image en JPEG ou PNG depuis la visionneuse";
        }
        if (data.StartsWith("BM"u8))
        {
            return "format d'image non pris en charge : BMP";
        }
        var head = System.Text.Encoding.UTF8.GetString(data[..Math.Min(data.Length, 512)]);
        if (head.Contains("<svg", StringComparison.OrdinalIgnoreCase))
        {
            return "les images vectorielles (SVG) ne sont pas prises en charge";
        }
        if (data.Length >= 12 && data[4..8].SequenceEqual("ftyp"u8))
        {
            return "format d'image non pris en charge : vidéo ou conteneur multimédia";
        }
        return "format d'image non pris en charge";
    }
}
