// Prints the plain closing line CI reads ("N passed, N failed, N skipped"), after Jest's own summary.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    process.stderr.write(
      `\n${results.numPassedTests} passed, ${results.numFailedTests} failed, ${results.numPendingTests} skipped\n`,
    );
  }
}
module.exports = SummaryReporter;
