import { createSlice } from '@reduxjs/toolkit';
import { isLoggedOutAction } from '../session/sessionSlice';

const isUserAnswer = (action) =>
  action.type === 'GET_PERSONAL_DATA_USER_SUCCESS' || action.type === 'POST_PERSONAL_DATA_USER_SUCCESS';

const personalDataSlice = createSlice({
  name: 'personalData',
  initialState: { user: null },
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

export const selectUser = (state) => state.personalData.user;

/** The body of POST /api/personal-data/user: only the fields it accepts. */
export function userUpdateBody({ given_name, surname, display_name, language }) {
  const body = { given_name: given_name || '', surname: surname || '', language };
  if (display_name) body.display_name = display_name;
  return body;
}
