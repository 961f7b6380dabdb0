/**
 * Float32 compute kernels for serving: {@link dev.actrec.simd.VectorKernels} (dot products, matrix-vector
 * products, softmax, attention's weighted sum of values, exact top-k) and {@link dev.actrec.simd.PeakFlops}, the
 * compute floor that benchmarks print beside their figures.
 *
 * <p>This is the only module that uses {@code jdk.incubator.vector}; the code that imports it is confined to
 * {@code dev.actrec.simd.internal.PanamaKernels}, which is loaded only when the module is present.
 */
package dev.actrec.simd;
