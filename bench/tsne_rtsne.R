# Rtsne (bhtsne, van der Maaten's C++ Barnes-Hut t-SNE) on a numeric CSV, for bench/tsne_bench.ts.
#
# usage: Rscript tsne_rtsne.R IN.csv OUT.csv SEED THREADS
# Reads IN.csv (no header), embeds with perplexity 30, theta 0.5, 1000 iterations, no PCA step
# (the rows are already PCA-50), Rtsne's defaults otherwise (eta 200, exaggeration 12 for 250
# iterations, random initialization), writes OUT.csv and prints {"seconds": ...} (fit only).
suppressPackageStartupMessages(library(Rtsne))
args <- commandArgs(trailingOnly = TRUE)
x <- as.matrix(read.csv(args[1], header = FALSE))
set.seed(as.integer(args[3]))
start <- proc.time()[["elapsed"]]
fit <- Rtsne(x, dims = 2, perplexity = 30, theta = 0.5, max_iter = 1000, pca = FALSE,
             check_duplicates = FALSE, num_threads = as.integer(args[4]))
seconds <- proc.time()[["elapsed"]] - start
write.table(fit$Y, args[2], sep = ",", row.names = FALSE, col.names = FALSE)
cat(sprintf('{"seconds": %.6f, "kl_reported": %.6f}\n', seconds, tail(fit$itercosts, 1)))
