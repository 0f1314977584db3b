// Owns the precompiled header of <torch/torch.h> that every torch unit of core/ reuses.
