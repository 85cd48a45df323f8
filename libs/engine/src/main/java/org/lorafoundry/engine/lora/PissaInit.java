package org.lorafoundry.engine.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * PiSSA's initial factors (PEFT's {@code pissa_init}): with the base weight {@code W = V S U^T} ({@code [out, in]}),
 * {@code A0 = sqrt(S_r / scaling) U_r^T} ({@code [r, in]}) and {@code B0 = V_r sqrt(S_r / scaling)} ({@code [out, r]}),
 * so that {@code scaling * B0 A0} is the best rank-r approximation of W.
 *
 * <p>The singular vectors come from the symmetric eigenproblem of the smaller Gram matrix ({@code W^T W} or
 * {@code W W^T}, computed in float64), solved by cyclic Jacobi rotations in Java (float64): exact up to rounding, so
 * {@code pissa_niter_N} (PEFT's randomized approximation) is computed exactly as well. The cost is O(n^3) in
 * {@code n = min(in, out)}: fine for the widths this project trains (up to about 1,000), refused above
 * {@link #MAX_DIM}.
 */
final class PissaInit {
    /** Largest min(in, out) accepted (Jacobi in Java: about a minute at 2,048). */
    static final int MAX_DIM = 2048;

    /** {@code aT [in, r]} and {@code bT [r, out]}, row-major. */
    record Factors(float[] aT, float[] bT) {
    }

    private PissaInit() {
    }

    /**
     * @param weight the projection's weight as held, {@code [in, out]} (W transposed)
     */
    static Factors factors(String module, NDArray weight, int r, double scaling) {
        int in = Math.toIntExact(weight.getShape().get(0));
        int out = Math.toIntExact(weight.getShape().get(1));
        int n = Math.min(in, out);
        if (r > n) {
            throw new LoraConfigException("PiSSA on " + module + ": r=" + r + " exceeds min(in, out)=" + n);
        }
        if (n > MAX_DIM) {
            throw new UnsupportedLoraConfigException("PiSSA on " + module + ": the SVD here is O(n^3) in Java and"
                    + " limited to min(in, out) <= " + MAX_DIM + " (got " + n + ")");
        }
        double[] w;
        double[] gram;
        try (NDArray wd = weight.toType(DataType.FLOAT64, true)) {
            w = wd.toDoubleArray(); // [in, out] row-major: w[i * out + o] = W[o][i]
            boolean right = in <= out;
            try (NDArray t = wd.transpose(); NDArray g = right ? wd.matMul(t) : t.matMul(wd)) {
                gram = g.toDoubleArray(); // right: W^T W [in, in]; else W W^T [out, out]
            }
        }
        double[][] vectors = new double[n][n];
        double[] values = new double[n];
        jacobi(gram, n, values, vectors);
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (x, y) -> Double.compare(values[y], values[x]));

        float[] aT = new float[in * r];
        float[] bT = new float[r * out];
        boolean right = in <= out;
        for (int k = 0; k < r; k++) {
            int col = order[k];
            double sigma = Math.sqrt(Math.max(values[col], 0));
            double root = Math.sqrt(sigma / scaling);
            double[] v = new double[in];  // right singular vector
            double[] u = new double[out]; // left singular vector
            if (right) {
                for (int i = 0; i < in; i++) {
                    v[i] = vectors[i][col];
                }
                for (int o = 0; o < out; o++) {
                    double s = 0;
                    for (int i = 0; i < in; i++) {
                        s += w[i * out + o] * v[i];
                    }
                    u[o] = sigma > 0 ? s / sigma : 0;
                }
            } else {
                for (int o = 0; o < out; o++) {
                    u[o] = vectors[o][col];
                }
                for (int i = 0; i < in; i++) {
                    double s = 0;
                    for (int o = 0; o < out; o++) {
                        s += w[i * out + o] * u[o];
                    }
                    v[i] = sigma > 0 ? s / sigma : 0;
                }
            }
            for (int i = 0; i < in; i++) {
                aT[i * r + k] = (float) (root * v[i]);
            }
            for (int o = 0; o < out; o++) {
                bT[k * out + o] = (float) (u[o] * root);
            }
        }
        return new Factors(aT, bT);
    }

    /**
     * Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations (Numerical Recipes' {@code jacobi}).
     *
     * @param matrix row-major n x n, destroyed
     * @param values receives the eigenvalues
     * @param vectors receives the eigenvectors as columns
     */
    static void jacobi(double[] matrix, int n, double[] values, double[][] vectors) {
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(matrix, i * n, a[i], 0, n);
        }
        double[] b = new double[n];
        double[] z = new double[n];
        for (int i = 0; i < n; i++) {
            java.util.Arrays.fill(vectors[i], 0);
            vectors[i][i] = 1;
            b[i] = a[i][i];
            values[i] = a[i][i];
        }
        for (int sweep = 1; sweep <= 100; sweep++) {
            double off = 0;
            for (int p = 0; p < n - 1; p++) {
                for (int q = p + 1; q < n; q++) {
                    off += Math.abs(a[p][q]);
                }
            }
            if (off == 0) {
                return;
            }
            double tresh = sweep < 4 ? 0.2 * off / ((double) n * n) : 0;
            for (int p = 0; p < n - 1; p++) {
                for (int q = p + 1; q < n; q++) {
                    double g = 100 * Math.abs(a[p][q]);
                    if (sweep > 4 && Math.abs(values[p]) + g == Math.abs(values[p])
                            && Math.abs(values[q]) + g == Math.abs(values[q])) {
                        a[p][q] = 0;
                    } else if (Math.abs(a[p][q]) > tresh) {
                        double h = values[q] - values[p];
                        double t;
                        if (Math.abs(h) + g == Math.abs(h)) {
                            t = a[p][q] / h;
                        } else {
                            double theta = 0.5 * h / a[p][q];
                            t = 1 / (Math.abs(theta) + Math.sqrt(1 + theta * theta));
                            if (theta < 0) {
                                t = -t;
                            }
                        }
                        double c = 1 / Math.sqrt(1 + t * t);
                        double s = t * c;
                        double tau = s / (1 + c);
                        h = t * a[p][q];
                        z[p] -= h;
                        z[q] += h;
                        values[p] -= h;
                        values[q] += h;
                        a[p][q] = 0;
                        for (int j = 0; j < p; j++) {
                            rotate(a, j, p, j, q, s, tau);
                        }
                        for (int j = p + 1; j < q; j++) {
                            rotate(a, p, j, j, q, s, tau);
                        }
                        for (int j = q + 1; j < n; j++) {
                            rotate(a, p, j, q, j, s, tau);
                        }
                        for (int j = 0; j < n; j++) {
                            rotate(vectors, j, p, j, q, s, tau);
                        }
                    }
                }
            }
            for (int p = 0; p < n; p++) {
                b[p] += z[p];
                values[p] = b[p];
                z[p] = 0;
            }
        }
        throw new IllegalStateException("Jacobi eigen-decomposition did not converge in 100 sweeps");
    }

    private static void rotate(double[][] a, int i, int j, int k, int l, double s, double tau) {
        double g = a[i][j];
        double h = a[k][l];
        a[i][j] = g - s * (h + g * tau);
        a[k][l] = h + s * (g - h * tau);
    }
}
