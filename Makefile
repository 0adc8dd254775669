# goperf and goecho. `make help` lists the targets.

GO      ?= go
BIN     := bin
PORT    ?= 5201

.PHONY: help build demo test check vet cross race bench-smoke fmt clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

build: ## build goperf and goecho into bin/
	$(GO) build -o $(BIN)/ ./cmd/...

demo: build ## run a goperf server and client on loopback (port $(PORT)) and print the results
	@$(BIN)/goperf -s -1 -p $(PORT) > $(BIN)/demo-server.log 2>&1 & server=$$!; \
	sleep 0.5; \
	echo "== client: goperf -c localhost -p $(PORT) -t 3 -P 2"; \
	$(BIN)/goperf -c localhost -p $(PORT) -t 3 -P 2; status=$$?; \
	wait $$server; \
	echo; echo "== server: goperf -s -1 -p $(PORT)"; cat $(BIN)/demo-server.log; \
	exit $$status

test: vet ## vet, all tests with the race detector, every benchmark once
	$(GO) test -race -shuffle=on -timeout 15m ./...
	GOPERF_BENCH_SECONDS=1 $(GO) test -run '^$$' -bench . -benchtime 1x -timeout 10m ./...

check: fmt test ## gofmt check, then everything test does

vet: ## go vet, natively and for darwin (the portable fallbacks)
	$(GO) vet ./...
	GOOS=darwin $(GO) vet ./...

fmt: ## fail if any file is not gofmt-clean
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed: $$out"; exit 1; fi

clean: ## remove build output
	rm -rf $(BIN) bench/out
