using Sbvae.Data;

namespace Sbvae.Tests.Data;

public class CssColorsTests
{
    [Theory]
    [InlineData("red", 255, 0, 0)]
    [InlineData("green", 0, 128, 0)] // CSS green, not (0,255,0)
    [InlineData("blue", 0, 0, 255)]
    [InlineData("rebeccapurple", 102, 51, 153)]
    [InlineData("lime", 0, 255, 0)]
    [InlineData("Grey", 128, 128, 128)]
    [InlineData("#ff8000", 255, 128, 0)]
    [InlineData("#0A0b0C", 10, 11, 12)]
    [InlineData("#f80", 255, 136, 0)]
    [InlineData("rgb(1,2,3)", 1, 2, 3)]
    [InlineData("rgb( 255 , 0 , 128 )", 255, 0, 128)]
    public void Parses(string text, int r, int g, int b) =>
        Assert.Equal(((byte)r, (byte)g, (byte)b), CssColors.Parse(text));

    [Fact]
    public void KnowsAll148Names() => Assert.Equal(148, CssColors.Names.Count);

    [Theory]
    [InlineData("reddish")]
    [InlineData("#12345")]
    [InlineData("#gggggg")]
    [InlineData("rgb(256,0,0)")]
    [InlineData("rgb(1,2)")]
    [InlineData("")]
    public void RejectsWithAHelpfulMessage(string text)
    {
        var e = Assert.Throws<SbvaeException>(() => CssColors.Parse(text));
        Assert.Equal($"unknown colour '{text}' (use a CSS name, #rrggbb or rgb(r,g,b))", e.Message);
    }
}
