/**
 * Not API: the {@link dev.actrec.simd.internal.KernelProvider} SPI, its scalar oracle and Panama implementations,
 * and the one-time choice between them. Benchmarks and tests may use it to compare the two implementations in one
 * JVM; everything else goes through {@link dev.actrec.simd.VectorKernels}.
 */
package dev.actrec.simd.internal;
