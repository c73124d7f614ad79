using System.Globalization;
using Sbvae.Models;
using Sbvae.Objectives;

namespace Sbvae.Reports;

/// <summary>A run's objective and likelihood with the hyperparameters it trained with (defaults filled in), as reports state them.</summary>
public static class ObjectiveText
{
    /// <summary>"betavae (β = 1)", "factorvae (γ = 10)", "annealed (γ = 1000, C_max = 25 nats over all steps)", …</summary>
    public static string Objective(ModelConfig c) => c.Objective switch
    {
        "betavae" or "betatcvae" => $"{c.Objective} (β = {I(c.Beta)})",
        "factorvae" => $"factorvae (γ = {I(c.Gamma ?? Objectives.Objective.DefaultFactorVaeGamma)})",
        "dipvae1" or "dipvae2" => DipText(c),
        "annealed" => $"annealed (γ = {I(c.Gamma ?? Objectives.Objective.DefaultAnnealedGamma)}, C_max = {I(c.CapacityMax ?? Objectives.Objective.DefaultCapacityMax)} nats over "
            + (c.CapacitySteps is { } steps ? $"{steps.ToString(CultureInfo.InvariantCulture)} steps)" : "all steps)"),
        var other => other,
    };

    /// <summary>"gaussian (σ_x² = 0.3)", "bernoulli" or "laplace (b = 0.3)".</summary>
    public static string Likelihood(ModelConfig c) => c.Likelihood switch
    {
        "gaussian" => $"gaussian (σ_x² = {I(c.Variance)})",
        "laplace" => $"laplace (b = {I(c.Scale ?? ModelConfig.DefaultScale)})",
        var other => other,
    };

    static string DipText(ModelConfig c)
    {
        var type = c.Objective == "dipvae1" ? DipType.I : DipType.II;
        double od = c.LambdaOd ?? Objectives.Objective.DefaultLambdaOd;
        return $"{c.Objective} (λ_od = {I(od)}, λ_d = {I(c.LambdaD ?? DipVae.DefaultLambdaD(type, od))})";
    }

    static string I(double v) => v.ToString(CultureInfo.InvariantCulture);
}
