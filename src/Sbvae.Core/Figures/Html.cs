using System.Net;

namespace Sbvae.Figures;

/// <summary>Embeds figures in HTML so a report is one self-contained file.</summary>
public static class Html
{
    public static string ImgTag(string pngPath, string alt)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(pngPath); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SbvaeException($"cannot read figure '{pngPath}': {e.Message}");
        }
        return $"<img src=\"data:{MimeType(pngPath)};base64,{Convert.ToBase64String(bytes)}\" alt=\"{WebUtility.HtmlEncode(alt)}\">";
    }

    static string MimeType(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".png" => "image/png",
        ".gif" => "image/gif",
        ".jpg" or ".jpeg" => "image/jpeg",
        ".svg" => "image/svg+xml",
        ".webp" => "image/webp",
        string ext => throw new ArgumentException($"cannot embed '{path}': unknown image type '{ext}'", nameof(path)),
    };
}
