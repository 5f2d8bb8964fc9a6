// Whether strace runs here: the durable-write tests watch fsync and fdatasync through it.
export const hasStrace = (() => {
  try {
    return new Deno.Command("strace", { args: ["-V"], stdout: "null" }).outputSync().success;
  } catch {
    return false;
  }
})();
