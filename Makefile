# goperf and goecho. `make help` lists the targets.

# Go: the one on PATH, else the official tarball's place. The tests run
# go themselves (TestLayout lists the packages), so its directory is put
# on PATH for everything make runs.
GO      ?= $(or $(shell command -v go 2>/dev/null),$(wildcard /usr/local/go/bin/go),go)
export PATH := $(abspath $(dir $(GO))):$(PATH)
BIN     := bin
PORT    ?= 5201
ECHO_PORT ?= 5001

.PHONY: help build install demo demo-echo test test-modes test-portable test-loaded check vet cross race bench-smoke fmt clean report compare

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

build: ## build goperf and goecho into bin/
	$(GO) build -o $(BIN)/ ./cmd/...

install: build ## copy goperf and goecho to $(PREFIX)/bin (/usr/local); IPERF3=1 also makes $(PREFIX)/bin/iperf3 name goperf (its iperf3 personality)
	install -d $(or $(PREFIX),/usr/local)/bin
	install -m 0755 $(BIN)/goperf $(BIN)/goecho $(or $(PREFIX),/usr/local)/bin/
	@if [ -n "$(IPERF3)" ]; then ln -sf goperf $(or $(PREFIX),/usr/local)/bin/iperf3 && echo "$(or $(PREFIX),/usr/local)/bin/iperf3 -> goperf"; fi

demo: build ## run a goperf server and client on loopback (port $(PORT)) and print the results
	@$(BIN)/goperf -s -1 -p $(PORT) > $(BIN)/demo-server.log 2>&1 & server=$$!; \
	for i in $$(seq 50); do grep -q '^Listening on' $(BIN)/demo-server.log && break; kill -0 $$server 2>/dev/null || break; sleep 0.1; done; \
	if ! grep -q '^Listening on' $(BIN)/demo-server.log; then \
		echo "make demo: the demo's goperf server did not start on port $(PORT) (another server there? try make demo PORT=5301):"; \
		cat $(BIN)/demo-server.log; kill $$server 2>/dev/null; exit 1; \
	fi; \
	echo "== client: goperf -c localhost -p $(PORT) -t 3 -P 2"; \
	$(BIN)/goperf -c localhost -p $(PORT) -t 3 -P 2; status=$$?; \
	wait $$server || status=1; \
	echo; echo "== server: goperf -s -1 -p $(PORT)"; cat $(BIN)/demo-server.log; \
	exit $$status

demo-echo: build ## run a goecho server on loopback (port $(ECHO_PORT)): echo two lines, then measure round trips
	@$(BIN)/goecho -s -a 127.0.0.1 -p $(ECHO_PORT) > $(BIN)/demo-echo-server.log 2>&1 & server=$$!; \
	for i in $$(seq 50); do grep -q 'Listening' $(BIN)/demo-echo-server.log && break; kill -0 $$server 2>/dev/null || break; sleep 0.1; done; \
	if ! grep -q 'Listening' $(BIN)/demo-echo-server.log; then \
		echo "make demo-echo: the demo's goecho server did not start on port $(ECHO_PORT) (another server there? try make demo-echo ECHO_PORT=5002):"; \
		cat $(BIN)/demo-echo-server.log; kill $$server 2>/dev/null; exit 1; \
	fi; \
	printf '%s\n' "== printf 'hello\\nworld\\n' | goecho -c 127.0.0.1 -p $(ECHO_PORT)"; \
	printf 'hello\nworld\n' | $(BIN)/goecho -c 127.0.0.1 -p $(ECHO_PORT) && \
	echo && echo "== goecho -c 127.0.0.1 -p $(ECHO_PORT) --latency -t 3 -m 64" && \
	$(BIN)/goecho -c 127.0.0.1 -p $(ECHO_PORT) --latency -t 3 -m 64; status=$$?; \
	kill $$server; wait $$server; \
	exit $$status

test: vet ## vet, all tests with the race detector, the engine's again in each I/O mode and in the portable build, every benchmark once
	$(GO) test -race -shuffle=on -timeout 15m ./...
	$(MAKE) --no-print-directory test-modes
	$(MAKE) --no-print-directory test-portable
	GOPERF_BENCH_SECONDS=1 $(GO) test -run '^$$' -bench . -benchtime 1x -timeout 10m ./...

test-modes: ## the engine's and goperf's tests with each I/O mode but auto's forced (GOPERF_IO)
	for m in raw netconn; do GOPERF_IO=$$m $(GO) test -race -shuffle=on -timeout 15m ./engine/ ./cmd/goperf/ || exit 1; done

test-portable: ## the engine's and the commands' tests on Linux with sockopt's portable files (-tags goperf_portable), as a Mac or BSD builds them
	$(GO) test -tags goperf_portable -shuffle=on -timeout 15m ./engine/... ./cmd/...

test-loaded: ## make test RUNS times in a row (5) beside a CPU hog on every core (stress-ng); stops at the first failure
	@command -v stress-ng >/dev/null || { echo "test-loaded needs stress-ng (apt-get install -y stress-ng)"; exit 1; }
	@mkdir -p $(BIN); stress-ng --cpu 0 --timeout 4h >/dev/null 2>&1 & hog=$$!; trap 'kill $$hog 2>/dev/null' EXIT; \
	for i in $$(seq $(or $(RUNS),5)); do \
		start=$$(date +%s); echo "== loaded run $$i"; \
		$(MAKE) --no-print-directory test > $(BIN)/test-loaded-$$i.log 2>&1 || { echo "run $$i failed: $(BIN)/test-loaded-$$i.log"; exit 1; }; \
		echo "run $$i passed in $$(( $$(date +%s) - start )) s"; \
	done

check: fmt test ## gofmt check, then everything test does

vet: ## go vet, natively, with the portable files, and for darwin
	$(GO) vet ./...
	$(GO) vet -tags goperf_portable ./...
	GOOS=darwin $(GO) vet ./...

fmt: ## fail if any file is not gofmt-clean
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed: $$out"; exit 1; fi

clean: ## remove build output
	rm -rf $(BIN) bench/out

report: ## buffer-size sweep with CPU profiles: bench/out/report.md and throughput.svg (IPERF3_EXTRA=path adds an iperf3)
	$(GO) run ./bench/report -out bench/out $(if $(IPERF3_EXTRA),-iperf3 $(IPERF3_EXTRA))

compare: ## goperf against the system's iperf3 (and iperf2; IPERF3_EXTRA=path adds one; IO="raw netconn" adds goperf in those modes), ROUNDS rounds (3): Markdown table + bench/out/compare.json
	$(GO) run ./bench/compare -out bench/out -rounds $(or $(ROUNDS),3) $(if $(IPERF3_EXTRA),-iperf3 $(IPERF3_EXTRA)) $(foreach m,$(IO),-io $(m)) $(if $(REMOTE),-remote $(REMOTE))
