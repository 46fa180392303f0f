// The console's widgets: react-aria-components (Adobe React Aria) bring the keyboard handling,
// focus management and ARIA; these wrappers give them one look (styles.css) and one way to label
// them. Bundled by Vite like the rest: nothing loads from elsewhere.
import type { ReactNode } from 'react';
import {
  Button as AriaButton,
  Cell,
  Checkbox,
  CheckboxGroup,
  Column,
  Dialog,
  DialogTrigger,
  FieldError,
  Heading,
  Input,
  Label,
  ListBox,
  ListBoxItem,
  Modal,
  ModalOverlay,
  Popover,
  Radio,
  RadioGroup,
  Row,
  SearchField as AriaSearchField,
  Select,
  SelectValue,
  Table,
  TableBody,
  TableHeader,
  Text,
  TextArea,
  TextField,
  type ButtonProps,
} from 'react-aria-components';

export { Cell, Column, Row, Table, TableBody, TableHeader };

/** A button: `secondary` for everything but the main action of a form. */
export function Button({ secondary, className, ...props }: ButtonProps & { secondary?: boolean; className?: string }) {
  return (
    // A className replaces react-aria's default one: keep it, styles.css styles buttons by it.
    <AriaButton
      {...props}
      className={['react-aria-Button', secondary ? 'secondary' : '', className ?? ''].join(' ').trim()}
    />
  );
}

interface FieldProps {
  label: string;
  name: string;
  value: string;
  onChange: (value: string) => void;
  /** Under the field, announced with it (aria-describedby). */
  description?: ReactNode;
  placeholder?: string;
  type?: 'text' | 'password' | 'url' | 'datetime-local';
  isRequired?: boolean;
  multiline?: boolean;
  autoComplete?: string;
}

/** A labelled text field (or text area), with its description and the browser's validation message. */
export function Field(props: FieldProps) {
  return (
    <TextField
      name={props.name}
      value={props.value}
      onChange={props.onChange}
      type={props.multiline ? undefined : (props.type ?? 'text')}
      isRequired={props.isRequired}
      autoComplete={props.autoComplete}
    >
      <Label>{props.label}</Label>
      {props.multiline ? (
        <TextArea rows={2} placeholder={props.placeholder} />
      ) : (
        <Input placeholder={props.placeholder} />
      )}
      {props.description ? (
        <Text slot="description" elementType="div" className="found">
          {props.description}
        </Text>
      ) : null}
      <FieldError />
    </TextField>
  );
}

/** A search field (role searchbox, Escape clears it) with its submit button (in the caller's form). */
export function SearchField(props: {
  label: string;
  name: string;
  value: string;
  placeholder?: string;
  onChange: (value: string) => void;
  onSubmit: (value: string) => void;
  submitLabel: string;
}) {
  return (
    // The button stands beside the field, not in it: inside, react-aria makes a button its "Clear search".
    <div className="search-box">
      <AriaSearchField
        name={props.name}
        value={props.value}
        onChange={props.onChange}
        onSubmit={props.onSubmit}
        isRequired
      >
        <Label>{props.label}</Label>
        <Input placeholder={props.placeholder} />
      </AriaSearchField>
      <Button type="submit">{props.submitLabel}</Button>
    </div>
  );
}

/** A select with a popover list; `''` is the "any" choice. */
export function SelectField<T extends string>(props: {
  label: string;
  name: string;
  value: T | '';
  options: { id: T | ''; label: string }[];
  onChange: (value: T | '') => void;
}) {
  return (
    <Select
      name={props.name}
      selectedKey={props.value}
      onSelectionChange={(key) => props.onChange(String(key ?? '') as T | '')}
    >
      <Label>{props.label}</Label>
      <AriaButton>
        <SelectValue />
      </AriaButton>
      <Popover>
        <ListBox>
          {props.options.map((o) => (
            <ListBoxItem key={o.id || 'any'} id={o.id} textValue={o.label}>
              {o.label}
            </ListBoxItem>
          ))}
        </ListBox>
      </Popover>
    </Select>
  );
}

/** A group of checkboxes (e.g. the kinds of delegation to list). */
export function CheckboxesField(props: {
  label: string;
  name: string;
  value: string[];
  options: readonly string[];
  onChange: (value: string[]) => void;
}) {
  return (
    <CheckboxGroup name={props.name} value={props.value} onChange={props.onChange}>
      <Label>{props.label}</Label>
      <div className="options">
        {props.options.map((o) => (
          <Checkbox key={o} value={o}>
            <span className="box" aria-hidden="true" />
            {o}
          </Checkbox>
        ))}
      </div>
    </CheckboxGroup>
  );
}

/** One of a few choices. */
export function RadiosField<T extends string>(props: {
  label: string;
  name: string;
  value: T;
  options: { id: T; label: string }[];
  onChange: (value: T) => void;
}) {
  return (
    <RadioGroup name={props.name} value={props.value} onChange={(v) => props.onChange(v as T)}>
      <Label>{props.label}</Label>
      <div className="options">
        {props.options.map((o) => (
          <Radio key={o.id} value={o.id}>
            <span className="box" aria-hidden="true" />
            {o.label}
          </Radio>
        ))}
      </div>
    </RadioGroup>
  );
}

/**
 * A button that opens a modal dialog (focus moves in and returns, Escape closes it); `children`
 * gets `close` to end it from inside.
 */
export function DialogButton(props: {
  label: string;
  title: string;
  secondary?: boolean;
  isDisabled?: boolean;
  children: (close: () => void) => ReactNode;
}) {
  return (
    <DialogTrigger>
      <Button secondary={props.secondary} isDisabled={props.isDisabled}>
        {props.label}
      </Button>
      <ModalOverlay isDismissable>
        <Modal>
          <Dialog>
            {({ close }) => (
              <>
                <Heading slot="title">{props.title}</Heading>
                {props.children(close)}
              </>
            )}
          </Dialog>
        </Modal>
      </ModalOverlay>
    </DialogTrigger>
  );
}

/**
 * A table (react-aria Table: a grid the arrow keys move through) in a box that scrolls sideways
 * on its own when it is wider than the screen. The first column names the row.
 */
export function DataTable(props: {
  label: string;
  columns: string[];
  rows: { id: string; cells: ReactNode[]; className?: string }[];
  empty?: string;
  testId?: string;
}) {
  return (
    <div className="table-scroll">
      <Table aria-label={props.label} data-testid={props.testId}>
        <TableHeader>
          {props.columns.map((c, i) => (
            <Column key={c} id={c} isRowHeader={i === 0}>
              {c}
            </Column>
          ))}
        </TableHeader>
        <TableBody renderEmptyState={() => <span className="empty">{props.empty ?? 'Nothing to show.'}</span>}>
          {props.rows.map((r) => (
            <Row key={r.id} id={r.id} className={r.className ? `react-aria-Row ${r.className}` : undefined}>
              {r.cells.map((cell, i) => (
                <Cell key={props.columns[i]}>{cell}</Cell>
              ))}
            </Row>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}
