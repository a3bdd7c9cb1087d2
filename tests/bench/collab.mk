# make eval-collab: edge-cloud collaboration measured on the trained pair
# (../shared/models, or EDGEAI_MODELS): `edgeai eval-collab` over
# EVAL_COLLAB_REQUESTS documents of heldout.txt (default 200, a few minutes on
# 2 cores). tests/collab/eval-reduced runs a few requests in make check.

EDGEAI_MODELS ?= ../shared/models
EVAL_COLLAB_REQUESTS ?= 200

.PHONY: eval-collab
eval-collab: $(EDGEAI_CLI)
	$(EDGEAI_CLI) eval-collab --edge $(EDGEAI_MODELS)/edge-f16.gguf \
		--cloud $(EDGEAI_MODELS)/cloud-f16.gguf --text $(EDGEAI_MODELS)/heldout.txt \
		--requests $(EVAL_COLLAB_REQUESTS)
