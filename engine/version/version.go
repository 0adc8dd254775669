package version

// Number is the release of goperf and goecho.
const Number = "0.1.0"
