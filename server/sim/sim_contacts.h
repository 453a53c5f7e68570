// The contacts of the simulated world (persons, groups, the fixed official and
// special accounts), as plain records; sim_frames.h turns them into MsgType
// 2/101 frames.
#ifndef WXBRIDGE_SERVER_SIM_SIM_CONTACTS_H_
#define WXBRIDGE_SERVER_SIM_SIM_CONTACTS_H_

#include <string>

namespace wxbridge::sim {

struct ContactRecord {
  std::string user_name;
  std::string nick_name;
  std::string alias;
  std::string remark;
  std::string province;
  std::string city;
  std::string signature;
  std::string ext_info;         // official accounts: a JSON string
  std::string chat_room_owner;  // groups only
  int sex = 0;
  int verify_flag = 0;
  int chatroom_version = 0;
};

ContactRecord PersonContact(const std::string &wx_id, const std::string &nick_name);
ContactRecord SimulatedFriend(const std::string &owner_wx_id, int n);
ContactRecord CustomIdPerson();
ContactRecord OfficialAccount();
ContactRecord SpecialAccount();
ContactRecord SharedGroupOwner();
ContactRecord GroupContact(const std::string &group_id, const std::string &name,
                           const std::string &owner_wx_id);

}  // namespace wxbridge::sim

#endif  // WXBRIDGE_SERVER_SIM_SIM_CONTACTS_H_
