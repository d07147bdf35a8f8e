import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { characters, Timestamp, withoutNul } from './common.js';
import { errors, successEnvelope } from './envelope.js';

const c = initContract();

export const USERNAME_PATTERN = /^[A-Za-z0-9_.-]{3,32}$/;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;
/** The longest login name (an email address). */
export const LOGIN_MAX = 254;

const Username = z.string().regex(USERNAME_PATTERN, '用户名为 3–32 位字母、数字或 _ . -');
const Password = characters(PASSWORD_MIN, PASSWORD_MAX, { min: '密码至少 8 个字符', max: '密码最多 128 个字符' });
const Phone = z
  .string()
  .regex(/^(\+[1-9]\d{6,14}|1[3-9]\d{9})$/, '手机号应为 E.164 格式或中国大陆手机号');

export const RegisterBodySchema = z.object({
  username: Username.describe('用户名'),
  email: z.string().max(254).email('邮箱格式无效').describe('邮箱地址'),
  password: Password.describe('密码，8–128 个字符'),
  nickname: withoutNul(characters(1, 50)).optional().describe('用户昵称，默认为用户名'),
  phone: Phone.optional().describe('手机号码'),
});

export const LoginBodySchema = z.object({
  username: withoutNul(z.string().min(1).max(LOGIN_MAX)).describe('用户名或邮箱'),
  password: z.string().min(1).max(1024).describe('密码'),
});

export const RefreshBodySchema = z.object({
  refresh_token: z.string().min(1).max(512).describe('刷新令牌'),
});

export const UserSchema = z.object({
  user_id: z.number().int(),
  username: z.string(),
  email: z.string(),
  nickname: z.string(),
  avatar_url: z.string().nullable(),
  phone: z.string().nullable(),
  status: z.number().int().describe('1 正常，0 禁用'),
});
export const RegisteredUserSchema = UserSchema.extend({ created_at: Timestamp });
export const CurrentUserSchema = RegisteredUserSchema.extend({ last_login_at: Timestamp.nullable() });
export type User = z.infer<typeof UserSchema>;
export type CurrentUser = z.infer<typeof CurrentUserSchema>;

export const LoginResultSchema = z.object({
  access_token: z.string(),
  refresh_token: z.string(),
  expires_in: z.number().int().describe('access_token 的有效期（秒）'),
  user: UserSchema,
});

export const RefreshResultSchema = z.object({
  access_token: z.string(),
  expires_in: z.number().int(),
  refresh_token: z.string().optional().describe('仅在服务端开启刷新令牌轮换时返回；旧令牌随即失效'),
});

export const authContract = c.router({
  register: {
    method: 'POST',
    path: '/api/auth/register',
    summary: '用户注册',
    body: RegisterBodySchema,
    responses: { 200: successEnvelope(RegisteredUserSchema, '注册成功'), ...errors(400, 409, 413, 415, 429, 500) },
  },
  login: {
    method: 'POST',
    path: '/api/auth/login',
    summary: '用户登录（用户名或邮箱）',
    body: LoginBodySchema,
    responses: { 200: successEnvelope(LoginResultSchema, '登录成功'), ...errors(400, 401, 403, 413, 415, 429, 500) },
  },
  logout: {
    method: 'POST',
    path: '/api/auth/logout',
    summary: '用户登出（吊销当前会话）',
    body: c.noBody(),
    responses: { 200: successEnvelope(z.null(), '登出成功'), ...errors(401, 403, 500) },
  },
  refresh: {
    method: 'POST',
    path: '/api/auth/refresh',
    summary: '刷新Token',
    body: RefreshBodySchema,
    responses: { 200: successEnvelope(RefreshResultSchema, 'Token刷新成功'), ...errors(400, 401, 403, 413, 415, 500) },
  },
  me: {
    method: 'GET',
    path: '/api/auth/user',
    summary: '获取当前用户信息',
    responses: { 200: successEnvelope(CurrentUserSchema, '获取成功'), ...errors(401, 403, 500) },
  },
});
