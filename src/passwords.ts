import { hash, verify } from '@node-rs/argon2';

export const hashPassword = (password: string): Promise<string> => hash(password);

export async function checkPassword(stored: string | null, password: string): Promise<boolean> {
  if (!stored) {
    return false;
  }
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}
