using System.Text.RegularExpressions;
using Sbvae.Figures;

namespace Sbvae.Tests.Figures;

public class HtmlTests
{
    [Theory]
    [InlineData(".png", "image/png")]
    [InlineData(".gif", "image/gif")]
    public void Img_tag_embeds_the_exact_bytes(string ext, string mime)
    {
        string path = Path.Combine(Path.GetTempPath(), $"sbvae-html-{Guid.NewGuid():N}{ext}");
        byte[] bytes = [.. Enumerable.Range(0, 1000).Select(i => (byte)(i * 37))];
        File.WriteAllBytes(path, bytes);
        try
        {
            string tag = Html.ImgTag(path, "a \"quoted\" <alt>");
            Match m = Regex.Match(tag, "^<img src=\"data:([^;]+);base64,([A-Za-z0-9+/=]+)\" alt=\"([^\"]*)\">$");
            Assert.True(m.Success, tag[..Math.Min(80, tag.Length)]);
            Assert.Equal(mime, m.Groups[1].Value);
            Assert.Equal(bytes, Convert.FromBase64String(m.Groups[2].Value));
            Assert.Equal("a &quot;quoted&quot; &lt;alt&gt;", m.Groups[3].Value);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Missing_file_is_a_user_error()
    {
        Assert.Throws<SbvaeException>(() => Html.ImgTag("/nonexistent/figure.png", "x"));
    }
}
