import { MAX_BULK_BYTES } from "@/lib/bulk/limits";

/**
 * What is wrong with the CSV file chosen in an upload form, said in the browser at once (the server checks the same
 * again): nothing chosen, or past the size cap. The caller's translations hold both messages under these keys.
 */
export function chosenCsvProblem(form: HTMLFormElement): "chooseFile" | "tooLarge" | null {
  const file = new FormData(form).get("file");
  if (!(file instanceof File) || file.size === 0) return "chooseFile";
  return file.size > MAX_BULK_BYTES ? "tooLarge" : null;
}
