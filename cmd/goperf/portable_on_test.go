//go:build goperf_portable

package main

// portableBuild: the tests are built with sockopt's portable files.
const portableBuild = true
