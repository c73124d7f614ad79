namespace Sbvae.Evaluation;

/// <param name="Score">Mean over factors of the gap between the two best latents' accuracies.</param>
/// <param name="ScoreMatrix">S[i][j]: test accuracy of a 1-D linear SVM predicting factor j from latent i.</param>
public sealed record SapResult(double Score, double[][] ScoreMatrix);

/// <summary>
/// Separated Attribute Predictability (Kumar et al. 2018, "Variational Inference of
/// Disentangled Latent Concepts from Unlabeled Observations", arXiv 1711.00848, Sec. 3), the
/// discrete-factor branch (continuous_factors=False) of disentanglement_lib
/// evaluation/metrics/sap_score.py: for every latent i and factor j a linear SVM on the single
/// feature z_i predicts y_j; S[i][j] is its test accuracy; SAP = mean_j (top1 − top2 of S[·][j]).
/// <para>
/// The classifier is sklearn's LinearSVC(C = 0.01, class_weight="balanced") solved exactly:
/// one-vs-rest, each class c minimising ½(w² + b²) + Σ_n C·cw[y_n]·max(0, 1 − t_n(w·z_n + b))²
/// (liblinear's squared hinge with the intercept penalised, cw = n / (K·n_class)), prediction
/// = argmax_c of w_c·z + b_c. It is written here rather than taken from ML.NET because ML.NET's
/// linear SVMs optimise a different problem (plain hinge, free bias) and, at C = 0.01 where
/// the optimum is nearly flat, their answers moved with solver settings (Pegasos: 0.18–0.40
/// accuracy on three identical problems). The problem has two parameters, so Newton's method
/// converges in a few steps.
/// </para>
/// Because 1-D one-vs-rest cannot carve out middle classes, and chance accuracy of a balanced
/// K-class factor is 1/K, SAP stays well below 1 even for a perfect representation
/// (at most 1 − 1/K).
/// </summary>
public static class Sap
{
    public const double C = 0.01;

    public static SapResult Compute(IGroundTruthData data, Representation rep, Random rng, int numTrain = 10000, int numTest = 5000)
    {
        var (trainCodes, trainFactors) = MetricInput.Sample(data, rep, numTrain, rng);
        var (testCodes, testFactors) = MetricInput.Sample(data, rep, numTest, rng);
        return FromCodes(trainCodes, trainFactors, testCodes, testFactors);
    }

    public static SapResult FromCodes(float[][] trainCodes, int[][] trainFactors, float[][] testCodes, int[][] testFactors)
    {
        MetricInput.Check(trainCodes, trainFactors, "SAP train set");
        MetricInput.Check(testCodes, testFactors, "SAP test set");
        int d = trainCodes[0].Length, f = trainFactors[0].Length;
        if (testCodes[0].Length != d || testFactors[0].Length != f)
            throw new SbvaeException("SAP: train and test sets differ in code or factor width");
        if (d < 2) throw new SbvaeException("SAP needs at least two latent dimensions");

        var s = new double[d][];
        for (int i = 0; i < d; i++)
        {
            s[i] = new double[f];
            var xTrain = MetricInput.Column(trainCodes, i);
            var xTest = MetricInput.Column(testCodes, i);
            for (int j = 0; j < f; j++)
                s[i][j] = Accuracy1D(xTrain, MetricInput.Column(trainFactors, j), xTest, MetricInput.Column(testFactors, j));
        }
        double score = 0;
        for (int j = 0; j < f; j++)
        {
            var col = s.Select(row => row[j]).OrderDescending().ToArray();
            score += col[0] - col[1];
        }
        return new SapResult(score / f, s);
    }

    private static double Accuracy1D(float[] xTrain, int[] yTrain, float[] xTest, int[] yTest)
    {
        var (dense, classes) = MetricInput.Densify(yTrain);
        int k = classes.Length, n = dense.Length;
        if (k < 2) return (double)yTest.Count(v => v == classes[0]) / yTest.Length;

        var counts = new int[k];
        foreach (int c in dense) counts[c]++;
        var cost = dense.Select(c => C * n / (k * (double)counts[c])).ToArray();
        var w = new double[k];
        var b = new double[k];
        // sklearn fits a single model for two classes; one-vs-rest gives its mirror image, same predictions.
        for (int c = 0; c < k; c++) (w[c], b[c]) = SquaredHingeSvm(xTrain, dense, c, cost);

        int hits = 0;
        for (int m = 0; m < xTest.Length; m++)
        {
            int best = 0;
            for (int c = 1; c < k; c++)
                if (w[c] * xTest[m] + b[c] > w[best] * xTest[m] + b[best]) best = c;
            if (classes[best] == yTest[m]) hits++;
        }
        return (double)hits / xTest.Length;
    }

    /// <summary>
    /// Minimises ½(w² + b²) + Σ cost_n·max(0, 1 − t_n(w·x_n + b))², t_n = +1 for class c else −1,
    /// by Newton steps on the generalised Hessian with backtracking (the objective is convex, C¹).
    /// </summary>
    public static (double W, double B) SquaredHingeSvm(float[] x, int[] y, int c, double[] cost)
    {
        double w = 0, b = 0, f = Objective(x, y, c, cost, w, b);
        for (int iter = 0; iter < 100; iter++)
        {
            double gw = w, gb = b, hww = 1, hwb = 0, hbb = 1;
            for (int n = 0; n < x.Length; n++)
            {
                double t = y[n] == c ? 1 : -1, slack = 1 - t * (w * x[n] + b);
                if (slack <= 0) continue;
                gw -= 2 * cost[n] * slack * t * x[n];
                gb -= 2 * cost[n] * slack * t;
                hww += 2 * cost[n] * x[n] * x[n];
                hwb += 2 * cost[n] * x[n];
                hbb += 2 * cost[n];
            }
            double det = hww * hbb - hwb * hwb;
            double dw = -(hbb * gw - hwb * gb) / det, db = -(hww * gb - hwb * gw) / det;
            double decrease = -(gw * dw + gb * db); // > 0: the Hessian is positive definite
            if (decrease <= 1e-14 * Math.Max(1, Math.Abs(f))) break;
            double step = 1, fNew;
            while ((fNew = Objective(x, y, c, cost, w + step * dw, b + step * db)) > f - 0.25 * step * decrease && step > 1e-10)
                step /= 2;
            w += step * dw;
            b += step * db;
            f = fNew;
        }
        return (w, b);
    }

    private static double Objective(float[] x, int[] y, int c, double[] cost, double w, double b)
    {
        double f = 0.5 * (w * w + b * b);
        for (int n = 0; n < x.Length; n++)
        {
            double t = y[n] == c ? 1 : -1, slack = 1 - t * (w * x[n] + b);
            if (slack > 0) f += cost[n] * slack * slack;
        }
        return f;
    }
}
