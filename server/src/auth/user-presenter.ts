import type { CurrentUser, User } from '@bailian-chat/contract';
import type { UserRow } from '../db/schema.js';

export function toUser(row: UserRow): User {
  return {
    user_id: row.id,
    username: row.username,
    email: row.email,
    nickname: row.nickname,
    avatar_url: row.avatar_url,
    phone: row.phone,
    status: row.status,
  };
}

export function toRegisteredUser(row: UserRow) {
  return { ...toUser(row), created_at: row.created_at };
}

export function toCurrentUser(row: UserRow): CurrentUser {
  return { ...toRegisteredUser(row), last_login_at: row.last_login_at };
}
