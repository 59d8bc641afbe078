/** Filled in by the database test set-up; unit tests need nothing. */
export default async function setup(): Promise<void> {}
