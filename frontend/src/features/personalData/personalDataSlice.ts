import { createSlice, isAnyOf } from '@reduxjs/toolkit';
import { routes, type BodyOfRoute, type PayloadOfRoute } from '../../api/routes';
import { isLoggedOutAction } from '../session/sessionSlice';

export type User = PayloadOfRoute<typeof routes.user>;
type UserUpdate = Exclude<BodyOfRoute<typeof routes.saveUser>, void>;

const isUserAnswer = isAnyOf(routes.user.success, routes.saveUser.success);

const personalDataSlice = createSlice({
  name: 'personalData',
  initialState: { user: null as Partial<User> | null },
  reducers: {},
  extraReducers: (builder) => {
    builder
      .addMatcher(isUserAnswer, (state, { payload }) => {
        state.user = { ...state.user, ...payload };
      })
      .addMatcher(isLoggedOutAction, (state) => {
        state.user = null;
      });
  },
});

export default personalDataSlice.reducer;

export const selectUser = (state: { personalData: { user: Partial<User> | null } }) => state.personalData.user;

/** The body of POST /api/personal-data/user: only the fields it accepts. */
export function userUpdateBody({ given_name, surname, display_name, language }: Partial<User>): UserUpdate {
  // The stored language is one the service accepted, so one of its `language` enum.
  const body: UserUpdate = { given_name: given_name || '', surname: surname || '', language: (language || 'en') as UserUpdate['language'] };
  if (display_name) body.display_name = display_name;
  return body;
}
