// asc transform: keeps the garbage collector's per-object visit (~lib/rt/tcms/__visit) a function call.
// At -O3 Binaryen inlines it (~60 bytes) at every managed global and class field the generated visitors
// reach — ~27 KB of a 174 KB module — although it runs only while collecting, between callbacks. Binaryen's
// `no-inline` pass marks the function before asc optimizes, so everything else is optimized as before.
const VISIT = "~lib/rt/*/__visit";

export default class VisitCalls {
  afterCompile(module) {
    this.binaryen.setPassArgument("no-inline", VISIT);
    module.runPasses(["no-inline"]);
    this.binaryen.setPassArgument("no-inline", null);
  }
}
