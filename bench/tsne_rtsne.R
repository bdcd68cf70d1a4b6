# Rtsne (bhtsne, van der Maaten's C++ Barnes-Hut t-SNE) on raw float64 data, for
# bench/tsne_bench.ts.
#
# usage: Rscript tsne_rtsne.R IN.f64 N D OUT.f64 SEED THREADS
# Reads IN.f64 (N x D little-endian float64, row-major), embeds with perplexity 30, theta 0.5,
# 1000 iterations, no PCA step (the rows are already reduced), Rtsne's defaults otherwise (eta
# 200, exaggeration 12 for 250 iterations, random initialization), writes the N x 2 embedding to
# OUT.f64 the same way and prints {"seconds": ...} (fit only).
suppressPackageStartupMessages(library(Rtsne))
args <- commandArgs(trailingOnly = TRUE)
n <- as.integer(args[2])
d <- as.integer(args[3])
x <- matrix(readBin(args[1], "double", n * d, size = 8, endian = "little"),
            nrow = n, ncol = d, byrow = TRUE)
set.seed(as.integer(args[5]))
start <- proc.time()[["elapsed"]]
fit <- Rtsne(x, dims = 2, perplexity = 30, theta = 0.5, max_iter = 1000, pca = FALSE,
             check_duplicates = FALSE, num_threads = as.integer(args[6]))
seconds <- proc.time()[["elapsed"]] - start
writeBin(as.vector(t(fit$Y)), args[4], size = 8, endian = "little")
cat(sprintf('{"seconds": %.6f, "kl_reported": %.6f, "version": "%s"}\n', seconds,
            tail(fit$itercosts, 1), as.character(packageVersion("Rtsne"))))
