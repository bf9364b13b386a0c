/** The page's h1; focusable so route changes can move focus to it. */
export default function PageHeading({ children }) {
  return (
    <h1 tabIndex={-1} className="page-heading">
      {children}
    </h1>
  );
}
